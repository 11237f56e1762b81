package org.bpf4j.btf;

import org.bpf4j.BpfException;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Loads raw BTF into the kernel (BPF_BTF_LOAD), e.g. to give a map typed keys and values. */
public final class BtfLoader {
    private BtfLoader() {}

    // union bpf_attr for BPF_BTF_LOAD: btf @0, btf_log_buf @8, btf_size @16, btf_log_size @20, btf_log_level @24.
    private static final int SIZE = 32;

    /** Loads {@code raw} and returns the BTF object's descriptor; a rejection carries the kernel's BTF log. */
    public static Fd load(byte[] raw) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(SIZE, 8);
            MemorySegment data = arena.allocateFrom(JAVA_BYTE, raw);
            attr.set(JAVA_LONG, 0, data.address());
            attr.set(JAVA_INT, 16, raw.length);
            int r = Syscalls.bpfOrErrno(BpfCmd.BTF_LOAD, attr);
            if (r >= 0) return new Fd(r);
            MemorySegment log = arena.allocate(1 << 16);
            attr.set(JAVA_LONG, 8, log.address());
            attr.set(JAVA_INT, 20, (int) log.byteSize());
            attr.set(JAVA_INT, 24, 1);
            r = Syscalls.bpfOrErrno(BpfCmd.BTF_LOAD, attr);
            if (r >= 0) return new Fd(r);
            String text = log.getString(0).strip();
            throw new BpfException("BPF_BTF_LOAD", -r, text.isEmpty() ? null : text.lines().reduce((a, b) -> b).orElse(""));
        }
    }
}
