package org.bpf4j.map;

import java.util.regex.Pattern;

/**
 * A map as a plain description, with no kernel object behind it: loading it with {@link KernelMap#create}
 * makes a live map. {@code flags} are the {@code BPF_F_*} map flags.
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{0,15}");

    /** Validates the description: the kernel accepts names of up to 15 of [A-Za-z0-9_.]. */
    public MapSpec {
        if (name == null || !NAME.matcher(name).matches())
            throw new IllegalArgumentException("map name '" + name + "': up to 15 characters of [A-Za-z0-9_.]");
        if (type == null) throw new IllegalArgumentException("map " + name + ": no type");
        if (keySize < 0 || valueSize < 0 || maxEntries < 0)
            throw new IllegalArgumentException("map " + name + ": negative size");
    }

    /** A spec with no flags. */
    public static MapSpec of(String name, MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, 0);
    }
}
