package org.bpf4j.elf;

import org.bpf4j.map.MapSpec;

import java.util.Map;

/**
 * A map an object file defines: in {@code .maps} (BTF-defined), in the legacy {@code maps} section, or a global
 * data section ({@code .rodata}, {@code .data}, {@code .bss} and their {@code .name} variants) held as a
 * one-element array. {@link #spec()} carries the kernel-side name (libbpf's: a data section of object
 * {@code execsnoop.bpf.o} is {@code execsnoo.rodata}); {@link #name()} is the name programs use.
 *
 * @param name           the map's name in the object (the variable, or the section for global data)
 * @param spec           what BPF_MAP_CREATE is given
 * @param kind           where it was defined
 * @param btfKeyTypeId   the key's type in the object's BTF (0: none)
 * @param btfValueTypeId the value's type in the object's BTF (0: none; a data section's DATASEC)
 * @param data           the initial value of a global data section (zeros for {@code .bss}); null for other maps
 * @param pinning        {@code LIBBPF_PIN_BY_NAME} (1) or none (0)
 * @param slots          initial slots of a map of maps or a program array: index to map or program name
 */
public record ObjectMap(String name, MapSpec spec, Kind kind, int btfKeyTypeId, int btfValueTypeId, byte[] data,
                        int pinning, Map<Integer, String> slots) {
    /** Where a map comes from. */
    public enum Kind {
        /** A map declared in {@code .maps} or {@code maps}. */
        MAP,
        /** {@code .rodata*}: read-only to programs, frozen after its initial value is written. */
        RODATA,
        /** {@code .data*}. */
        DATA,
        /** {@code .bss*}: zero-initialised. */
        BSS,
        /** {@code .kconfig}: the {@code __kconfig} externs, filled in at load from the running kernel, frozen. */
        KCONFIG
    }

    /** Copies the mutable parts. */
    public ObjectMap {
        data = data == null ? null : data.clone();
        slots = Map.copyOf(slots);
    }

    /** True for a global data section. */
    public boolean isGlobalData() { return kind != Kind.MAP; }

    /** True when the map is frozen after creation (read-only data). */
    public boolean frozen() { return kind == Kind.RODATA || kind == Kind.KCONFIG; }

    /** The initial value of a global data section (a copy); null for other maps. */
    @Override
    public byte[] data() { return data == null ? null : data.clone(); }

    /** This map with another initial value (same length). */
    ObjectMap withData(byte[] newData) {
        return new ObjectMap(name, spec, kind, btfKeyTypeId, btfValueTypeId, newData, pinning, slots);
    }
}
