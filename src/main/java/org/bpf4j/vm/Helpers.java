package org.bpf4j.vm;

import org.bpf4j.asm.Helper;
import org.bpf4j.map.MapType;
import org.bpf4j.vm.map.EventOutputMap;
import org.bpf4j.vm.map.ProgramArrayMap;
import org.bpf4j.vm.map.UserMap;

import java.nio.charset.StandardCharsets;

/**
 * The helper functions the VM implements, for both engines: {@link #call} takes the helper id and r1-r5
 * and returns r0. Failures a program can handle are negative errnos, as in the kernel; misuse the verifier
 * would have caught (a bad map handle, memory out of bounds) is a {@link VmFault}.
 */
public final class Helpers {
    private static final int EFAULT = 14, EINVAL = 22, ENOENT = 2, E2BIG = 7;
    private static final long BPF_F_CURRENT_CPU = 0xffffffffL;

    private Helpers() {}

    /** Whether the VM implements helper {@code id}. */
    public static boolean implemented(int id) {
        return switch (id) {
            case 1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 25, 45, 112, 113, 114, 115, 125, 130 -> true;
            default -> false;
        };
    }

    /** Calls helper {@code id} with r1-r5 on machine {@code m} for the instruction at {@code pc}; returns r0. */
    public static long call(Machine m, int id, long r1, long r2, long r3, long r4, long r5, int pc) {
        Environment env = m.environment();
        return switch (id) {
            case 1 -> lookup(m, r1, r2, pc);
            case 2 -> {
                Machine.MapBinding b = map(m, r1, pc);
                byte[] key = m.memory().read(r2, b.map().spec().keySize(), pc);
                byte[] value = m.memory().read(r3, b.map().spec().valueSize(), pc);
                yield b.map().update(key, value, r4, env.cpu());
            }
            case 3 -> {
                Machine.MapBinding b = map(m, r1, pc);
                yield b.map().deleteElement(m.memory().read(r2, b.map().spec().keySize(), pc));
            }
            case 4, 113 -> probeRead(m, r1, r2, r3, false, false, pc);
            case 112 -> probeRead(m, r1, r2, r3, true, false, pc);
            case 45, 115 -> probeRead(m, r1, r2, r3, false, true, pc);
            case 114 -> probeRead(m, r1, r2, r3, true, true, pc);
            case 5, 125 -> env.ktimeNs();
            case 6 -> tracePrintk(m, r1, r2, new long[] {r3, r4, r5}, pc);
            case 7 -> env.prandomU32() & 0xffffffffL;
            case 8 -> env.cpu() & 0xffffffffL;
            case 12 -> tailCall(m, r2, r3, pc);
            case 14 -> env.pidTgid();
            case 15 -> env.uidGid();
            case 16 -> {
                int size = checkSize(r2, pc);
                byte[] buf = new byte[size];
                byte[] comm = env.comm().getBytes(StandardCharsets.UTF_8);
                if (size > 0) System.arraycopy(comm, 0, buf, 0, Math.min(comm.length, Math.min(15, size - 1)));
                m.memory().write(r1, buf, pc);
                yield 0;
            }
            case 25 -> {
                EventOutputMap out = output(m, r2, MapType.PERF_EVENT_ARRAY, pc);
                long index = (r3 & 0xffffffffL) == BPF_F_CURRENT_CPU ? env.cpu() : r3 & 0xffffffffL;
                if ((r3 >>> 32) != 0) yield -EINVAL;
                yield out.output((int) index, env.cpu(), m.memory().read(r4, checkSize(r5, pc), pc));
            }
            case 130 -> {
                EventOutputMap out = output(m, r1, MapType.RINGBUF, pc);
                yield out.output(0, env.cpu(), m.memory().read(r2, checkSize(r3, pc), pc));
            }
            default -> throw new VmFault(pc, "call of helper " + name(id) + ", which the VM does not implement");
        };
    }

    private static String name(int id) {
        return Helper.byId(id).map(h -> "bpf_" + h.helperName() + "#" + id).orElse("#" + id);
    }

    private static Machine.MapBinding map(Machine m, long handle, int pc) {
        Machine.MapBinding b = m.mapAt(handle);
        if (b == null) throw new VmFault(pc, "helper argument 0x" + Long.toHexString(handle) + " is not a map");
        return b;
    }

    private static long lookup(Machine m, long handle, long keyAddr, int pc) {
        Machine.MapBinding b = map(m, handle, pc);
        UserMap map = b.map();
        if (map.values() == null) throw new VmFault(pc, "map_lookup_elem on " + map.spec().type().bpftoolName() + " map " + map.spec().name());
        int off = map.valueOffset(m.memory().read(keyAddr, map.spec().keySize(), pc), m.environment().cpu());
        return off < 0 ? 0 : b.valueBase() + off;
    }

    private static EventOutputMap output(Machine m, long handle, MapType type, int pc) {
        Machine.MapBinding b = map(m, handle, pc);
        if (!(b.map() instanceof EventOutputMap out) || b.map().spec().type() != type)
            throw new VmFault(pc, "map " + b.map().spec().name() + " is not a " + type.bpftoolName() + " map");
        return out;
    }

    private static int checkSize(long size, int pc) {
        if (size < 0 || size > 1 << 20) throw new VmFault(pc, "helper size argument " + size + " out of range");
        return (int) size;
    }

    private static long probeRead(Machine m, long dst, long size, long src, boolean user, boolean string, int pc) {
        int n = checkSize(size, pc);
        if (n == 0) return 0;
        m.memory().check(dst, n, true, pc);
        byte[] buf = new byte[n];
        boolean ok;
        if (m.memory().regionAt(src) != null) {
            ok = readVm(m, src, buf, string);
        } else if (!string) {
            ok = m.environment().readMemory(src, buf, user);
        } else {
            ok = readString(m.environment(), src, buf, user);
        }
        if (!ok) {
            m.memory().write(dst, new byte[n], pc);
            return -EFAULT;
        }
        if (!string) {
            m.memory().write(dst, buf, pc);
            return 0;
        }
        int len = 0;
        while (len < n - 1 && buf[len] != 0) len++;
        buf[len] = 0;
        byte[] out = new byte[len + 1];
        System.arraycopy(buf, 0, out, 0, len + 1);
        m.memory().write(dst, out, pc);
        return len + 1;
    }

    private static boolean readVm(Machine m, long src, byte[] buf, boolean string) {
        Region r = m.memory().regionAt(src);
        int off = (int) src;
        if (off < 0 || off >= r.length) return false;
        int n = string ? Math.min(buf.length, r.length - off) : buf.length;
        if (off + n > r.length) return false;
        System.arraycopy(r.data, off, buf, 0, n);
        return true;
    }

    private static boolean readString(Environment env, long src, byte[] buf, boolean user) {
        if (env.readMemory(src, buf, user)) return true;
        byte[] one = new byte[1];
        for (int i = 0; i < buf.length; i++) {
            if (!env.readMemory(src + i, one, user)) return i > 0;
            buf[i] = one[0];
            if (one[0] == 0) return true;
        }
        return true;
    }

    private static long tailCall(Machine m, long handle, long index, int pc) {
        Machine.MapBinding b = map(m, handle, pc);
        if (!(b.map() instanceof ProgramArrayMap programs)) throw new VmFault(pc, "tail_call: map " + b.map().spec().name() + " is not a prog array");
        Object target = programs.get(index & 0xffffffffL);
        if (target == null) return -ENOENT;
        if (m.tailCalls >= Machine.MAX_TAIL_CALLS) return -E2BIG;
        if (!(target instanceof Machine.TailCallable t)) throw new VmFault(pc, "tail_call: slot " + index + " holds no VM program");
        m.tailCalls++;
        m.tailTarget = t;
        return 0;
    }

    private static long tracePrintk(Machine m, long fmtAddr, long fmtSize, long[] args, int pc) {
        byte[] raw = m.memory().read(fmtAddr, checkSize(fmtSize, pc), pc);
        int end = 0;
        while (end < raw.length && raw[end] != 0) end++;
        String fmt = new String(raw, 0, end, StandardCharsets.UTF_8);
        String line = PrintkFormat.format(fmt, args, addr -> cString(m, addr));
        if (line == null) return -EINVAL;
        String shown = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
        m.environment().tracePrintk(shown);
        return line.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String cString(Machine m, long addr) {
        byte[] buf = new byte[256];
        boolean ok = m.memory().regionAt(addr) != null ? readVm(m, addr, buf, true) : readString(m.environment(), addr, buf, false);
        if (!ok) return "(fault)";
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
