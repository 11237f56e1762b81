package org.bpf4j.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An environment for tests: a fixed task (pid, tgid, uid, gid, comm), a clock that advances by a fixed step on
 * every read, a seeded random sequence, a chosen CPU, blocks of "traced" memory for {@code probe_read}, and the
 * {@code trace_printk} lines kept in a list. Setters return this, for chaining.
 */
public final class SyntheticEnvironment implements Environment {
    private int pid = 1000, tgid = 1000, uid = 0, gid = 0, cpu = 0;
    private String comm = "test";
    private long now = 1_000_000_000L, step = 1000;
    private long seed = 42;
    private final TreeMap<Long, byte[]> kernelMemory = new TreeMap<>();
    private final TreeMap<Long, byte[]> userMemory = new TreeMap<>();
    private final List<String> trace = new ArrayList<>();

    /** Sets the task: thread id {@code pid} and process id {@code tgid}. */
    public SyntheticEnvironment task(int pid, int tgid, String comm) {
        this.pid = pid;
        this.tgid = tgid;
        this.comm = comm;
        return this;
    }

    /** Sets the user and group. */
    public SyntheticEnvironment user(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    /** Sets the CPU. */
    public SyntheticEnvironment cpu(int cpu) {
        this.cpu = cpu;
        return this;
    }

    /** Sets the clock: the next read gives {@code now}, each read after it {@code step} more. */
    public SyntheticEnvironment clock(long now, long step) {
        this.now = now;
        this.step = step;
        return this;
    }

    /** Seeds the random sequence. */
    public SyntheticEnvironment seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Makes {@code bytes} readable at {@code address} of kernel ({@code user} false) or user memory. */
    public SyntheticEnvironment memory(long address, byte[] bytes, boolean user) {
        (user ? userMemory : kernelMemory).put(address, bytes.clone());
        return this;
    }

    /** The trace_printk lines so far. */
    public List<String> trace() { return List.copyOf(trace); }

    @Override
    public long ktimeNs() {
        long t = now;
        now += step;
        return t;
    }

    @Override
    public int prandomU32() {
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        return (int) (seed >>> 32);
    }

    @Override public int cpu() { return cpu; }
    @Override public long pidTgid() { return (long) tgid << 32 | (pid & 0xffffffffL); }
    @Override public long uidGid() { return (long) gid << 32 | (uid & 0xffffffffL); }
    @Override public String comm() { return comm; }

    @Override
    public boolean readMemory(long address, byte[] into, boolean user) {
        Map.Entry<Long, byte[]> e = (user ? userMemory : kernelMemory).floorEntry(address);
        if (e == null) return false;
        long off = address - e.getKey();
        if (off < 0 || off + into.length > e.getValue().length) return false;
        System.arraycopy(e.getValue(), (int) off, into, 0, into.length);
        return true;
    }

    @Override
    public void tracePrintk(String line) { trace.add(line); }
}
