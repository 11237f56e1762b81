package org.bpf4j.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The VM's address space: a table of {@link Region}s, region {@code id} at addresses {@code id << 32} to
 * {@code (id << 32) + length}. Address 0 (region 0) is never mapped, so a null pointer faults. Every load,
 * store and atomic goes through the static accessors here, which the interpreter and the JIT's code both
 * call: one bounds check for both engines. Not thread-safe: one program run at a time.
 *
 * <pre>
 *   address:  | region id : 32 | offset : 32 |
 * </pre>
 */
public final class Memory {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The bits of an address that select the region. */
    public static final int REGION_SHIFT = 32;

    /** The region id whose 8- and 4-byte accesses take the fast path (the stack, where most accesses go). */
    public static final int FAST_ID = 1;

    private Region[] regions = new Region[8];
    private int next = 1;
    private byte[] fast = new byte[0];

    /** Maps {@code region} at a fresh id and returns its base address. */
    public long add(Region region) {
        if (next == regions.length) regions = Arrays.copyOf(regions, regions.length * 2);
        return place(next++, region);
    }

    /** The base address the next {@link #add} will return. */
    public long nextBase() {
        return (long) next << REGION_SHIFT;
    }

    /** Maps {@code region} at id {@code id} (replacing what was there) and returns its base address. */
    public long place(int id, Region region) {
        if (id <= 0) throw new IllegalArgumentException("region id " + id);
        if (id >= regions.length) regions = Arrays.copyOf(regions, Math.max(id + 1, regions.length * 2));
        regions[id] = region;
        next = Math.max(next, id + 1);
        if (id == FAST_ID) fast = region.writable && region.stride == 0 && region.length == region.data.length ? region.data : new byte[0];
        return (long) id << REGION_SHIFT;
    }

    /** Reserves the ids below {@code id} for {@link #place}, so that {@link #add} starts at {@code id}. */
    public void reserve(int id) {
        next = Math.max(next, id);
        if (next >= regions.length) regions = Arrays.copyOf(regions, next * 2);
    }

    /** The region mapped at {@code addr}'s id, or null. */
    public Region regionAt(long addr) {
        long id = addr >>> REGION_SHIFT;
        return id < regions.length ? regions[(int) id] : null;
    }

    /** The region {@code [addr, addr + size)} lies in, checked; a {@link VmFault} at {@code pc} otherwise. */
    public Region check(long addr, int size, boolean write, int pc) {
        long id = addr >>> REGION_SHIFT;
        Region[] rs = regions;
        if (id < rs.length) {
            Region r = rs[(int) id];
            int off = (int) addr;
            if (r != null && off >= 0 && off <= r.length - size
                    && (r.stride == 0 || off % r.stride + size <= r.stride) && (!write || r.writable)) {
                return r;
            }
        }
        throw fault(addr, size, write, pc);
    }

    private VmFault fault(long addr, int size, boolean write, int pc) {
        Region r = regionAt(addr);
        String what = (write ? "write" : "read") + " of " + size + " byte" + (size == 1 ? "" : "s") + " at 0x" + Long.toHexString(addr);
        if (r == null) return new VmFault(pc, "invalid " + what + ": no memory is mapped there");
        int off = (int) addr;
        if (write && !r.writable && off >= 0 && off <= r.length - size) return new VmFault(pc, "invalid " + what + ": " + r.name + " is read-only");
        String where = r.stride > 0 && off >= 0 && off < r.length
                ? " crosses the end of a " + r.stride + "-byte value of " + r.name
                : " is outside " + r.name + " (offset " + off + ", size " + r.length + ")";
        return new VmFault(pc, "invalid " + what + ":" + where);
    }

    // --- loads and stores, for the interpreter and compiled code ---

    /** Reads {@code size} (1, 2, 4, 8) bytes at {@code addr}, zero-extended. */
    public static long load(Memory m, long addr, int size, int pc) {
        Region r = m.check(addr, size, false, pc);
        int off = (int) addr;
        return switch (size) {
            case 1 -> r.data[off] & 0xffL;
            case 2 -> (short) SHORT.get(r.data, off) & 0xffffL;
            case 4 -> (int) INT.get(r.data, off) & 0xffffffffL;
            default -> (long) LONG.get(r.data, off);
        };
    }

    /** Reads {@code size} (1, 2, 4) bytes at {@code addr}, sign-extended. */
    public static long loadSigned(Memory m, long addr, int size, int pc) {
        Region r = m.check(addr, size, false, pc);
        int off = (int) addr;
        return switch (size) {
            case 1 -> r.data[off];
            case 2 -> (short) SHORT.get(r.data, off);
            default -> (int) INT.get(r.data, off);
        };
    }

    /** Writes the low {@code size} bytes of {@code value} at {@code addr}. */
    public static void store(Memory m, long addr, int size, long value, int pc) {
        Region r = m.check(addr, size, true, pc);
        int off = (int) addr;
        switch (size) {
            case 1 -> r.data[off] = (byte) value;
            case 2 -> SHORT.set(r.data, off, (short) value);
            case 4 -> INT.set(r.data, off, (int) value);
            default -> LONG.set(r.data, off, value);
        }
    }

    // The 8- and 4-byte accessors first try the stack: an id and an offset comparison, then the array access
    // (whose own check the JVM can drop); anything else takes the full check, which faults with the reason.

    /** 8-byte load (the common case, kept small so that compiled code inlines it). */
    public static long load64(Memory m, long addr, int pc) {
        byte[] f = m.fast;
        int off = (int) addr;
        if (addr >>> REGION_SHIFT == FAST_ID && off >= 0 && off <= f.length - 8) return (long) LONG.get(f, off);
        Region r = m.check(addr, 8, false, pc);
        return (long) LONG.get(r.data, off);
    }

    /** 8-byte store. */
    public static void store64(Memory m, long addr, long value, int pc) {
        byte[] f = m.fast;
        int off = (int) addr;
        if (addr >>> REGION_SHIFT == FAST_ID && off >= 0 && off <= f.length - 8) {
            LONG.set(f, off, value);
            return;
        }
        Region r = m.check(addr, 8, true, pc);
        LONG.set(r.data, off, value);
    }

    /** 4-byte zero-extending load. */
    public static long load32(Memory m, long addr, int pc) {
        byte[] f = m.fast;
        int off = (int) addr;
        if (addr >>> REGION_SHIFT == FAST_ID && off >= 0 && off <= f.length - 4) return (int) INT.get(f, off) & 0xffffffffL;
        Region r = m.check(addr, 4, false, pc);
        if (r.pointerFields != null) {
            for (int k = 0; k < r.pointerFields.length; k += 2) if (r.pointerFields[k] == off) return r.pointerFields[k + 1];
        }
        return (int) INT.get(r.data, off) & 0xffffffffL;
    }

    /** 4-byte store. */
    public static void store32(Memory m, long addr, long value, int pc) {
        byte[] f = m.fast;
        int off = (int) addr;
        if (addr >>> REGION_SHIFT == FAST_ID && off >= 0 && off <= f.length - 4) {
            INT.set(f, off, (int) value);
            return;
        }
        Region r = m.check(addr, 4, true, pc);
        INT.set(r.data, off, (int) value);
    }

    /**
     * An atomic read-modify-write of the 4- or 8-byte value at {@code addr}: {@code op} is the {@code BPF_ADD},
     * {@code BPF_OR}, {@code BPF_AND}, {@code BPF_XOR} or {@code BPF_XCHG} bits of the instruction's imm
     * (fetch bit ignored). Returns the old value (zero-extended for 4 bytes). Atomic with respect to the other
     * atomics on the same region (heap byte arrays offer no hardware atomics on unaligned views).
     */
    public static long atomic(Memory m, long addr, int size, int op, long operand, int pc) {
        Region r = m.check(addr, size, true, pc);
        int off = (int) addr;
        if ((off & (size - 1)) != 0) throw new VmFault(pc, "misaligned atomic access of " + size + " bytes at 0x" + Long.toHexString(addr));
        synchronized (r) {
            long old = size == 4 ? (int) INT.get(r.data, off) & 0xffffffffL : (long) LONG.get(r.data, off);
            long now = switch (op & ~1) {
                case 0x00 -> old + operand;
                case 0x40 -> old | operand;
                case 0x50 -> old & operand;
                case 0xa0 -> old ^ operand;
                case 0xe0 -> operand;
                default -> throw new VmFault(pc, "unknown atomic operation 0x" + Integer.toHexString(op));
            };
            if (size == 4) INT.set(r.data, off, (int) now); else LONG.set(r.data, off, now);
            return old;
        }
    }

    /**
     * {@code BPF_CMPXCHG}: if the value at {@code addr} equals {@code expected} (for 4 bytes: its low 32 bits)
     * it becomes {@code replacement}; returns the old value, zero-extended for 4 bytes.
     */
    public static long compareExchange(Memory m, long addr, int size, long expected, long replacement, int pc) {
        Region r = m.check(addr, size, true, pc);
        int off = (int) addr;
        if ((off & (size - 1)) != 0) throw new VmFault(pc, "misaligned atomic access of " + size + " bytes at 0x" + Long.toHexString(addr));
        synchronized (r) {
            if (size == 4) {
                int old = (int) INT.get(r.data, off);
                if (old == (int) expected) INT.set(r.data, off, (int) replacement);
                return old & 0xffffffffL;
            }
            long old = (long) LONG.get(r.data, off);
            if (old == expected) LONG.set(r.data, off, replacement);
            return old;
        }
    }

    /** Copies {@code len} bytes at {@code addr} out (checked as one read). */
    public byte[] read(long addr, int len, int pc) {
        if (len == 0) return new byte[0];
        Region r = check(addr, len, false, pc);
        return Arrays.copyOfRange(r.data, (int) addr, (int) addr + len);
    }

    /** Copies {@code bytes} to {@code addr} (checked as one write). */
    public void write(long addr, byte[] bytes, int pc) {
        if (bytes.length == 0) return;
        Region r = check(addr, bytes.length, true, pc);
        System.arraycopy(bytes, 0, r.data, (int) addr, bytes.length);
    }
}
