package org.bpf4j.vm.map;

import org.bpf4j.map.MapSpec;

import java.util.Optional;

/**
 * {@code BPF_MAP_TYPE_PROG_ARRAY} in the VM: the programs {@code tail_call} can jump to, by index. The slots
 * hold VM programs; from the BpfMap API they read as their index (a stand-in for the kernel's program id).
 */
public final class ProgramArrayMap extends UserMap {
    private final Object[] programs;

    ProgramArrayMap(MapSpec spec, int cpus) {
        super(spec, cpus);
        if (spec.keySize() != 4 || spec.valueSize() != 4)
            throw new IllegalArgumentException("prog array " + spec.name() + ": key and value sizes must be 4");
        programs = new Object[spec.maxEntries()];
    }

    /** Puts {@code program} (a VM program; null clears) at {@code index}. */
    public void set(int index, Object program) {
        if (index < 0 || index >= programs.length)
            throw new IllegalArgumentException("prog array " + spec.name() + ": index " + index + " out of range 0.." + (programs.length - 1));
        programs[index] = program;
    }

    /** The program at {@code index}, or null. */
    public Object get(long index) {
        return index >= 0 && index < programs.length ? programs[(int) index] : null;
    }

    private static int index(byte[] key) {
        return u32Key(key);
    }

    @Override
    public int deleteElement(byte[] key) {
        int i = index(key);
        if (i < 0 || i >= programs.length) return -E2BIG;
        if (programs[i] == null) return -ENOENT;
        programs[i] = null;
        return 0;
    }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        int i = index(key);
        return i >= 0 && i < programs.length && programs[i] != null ? Optional.of(key.clone()) : Optional.empty();
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        int from = key == null ? 0 : index(key) + 1;
        for (int i = Math.max(0, from); i < programs.length; i++) {
            if (programs[i] != null) return Optional.of(org.bpf4j.vm.Bytes.u32(i));
        }
        return Optional.empty();
    }
}
