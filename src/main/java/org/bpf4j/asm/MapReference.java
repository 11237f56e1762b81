package org.bpf4j.asm;

import java.util.Objects;

/**
 * A symbolic map reference: the lddw at instruction {@code index} (position in {@link Program#instructions()})
 * loads the map named {@code mapName}, whose fd is filled in at load time.
 *
 * @param index   the instruction index of the lddw
 * @param mapName the map's name
 */
public record MapReference(int index, String mapName) {
    /** Requires a non-negative index and a name. */
    public MapReference {
        Objects.requireNonNull(mapName, "mapName");
        if (index < 0) {
            throw new IllegalArgumentException("negative instruction index " + index);
        }
    }
}
