package org.bpf4j.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a program running in the VM sees of the world through its helpers: the clock, the CPU, the current
 * task, the memory {@code probe_read} reads, where {@code trace_printk} writes. {@link #host()} answers with
 * this JVM's process; {@link SyntheticEnvironment} with whatever a test sets.
 */
public interface Environment {
    /** {@code ktime_get_ns}: a monotonic clock in nanoseconds. */
    long ktimeNs();

    /** {@code get_prandom_u32}. */
    int prandomU32();

    /** {@code get_smp_processor_id}: the CPU the program runs on (also selects per-CPU map values). */
    int cpu();

    /** {@code get_current_pid_tgid}: tgid in the upper 32 bits, pid (thread id) in the lower. */
    long pidTgid();

    /** {@code get_current_uid_gid}: gid in the upper 32 bits, uid in the lower. */
    long uidGid();

    /** {@code get_current_comm}: the task's name (at most 15 bytes are used). */
    String comm();

    /**
     * {@code probe_read_kernel}/{@code probe_read_user}: fills {@code into} from {@code address} of the traced
     * memory; false when that memory cannot be read (the helper then zeroes the buffer and returns -EFAULT).
     */
    boolean readMemory(long address, byte[] into, boolean user);

    /** {@code trace_printk}: one formatted line (without the trailing newline the format may have). */
    void tracePrintk(String line);

    /** This JVM's process: real clock and pid, random numbers, CPU 0, trace lines to stderr, no traced memory. */
    static Environment host() {
        return Host.INSTANCE;
    }

    /** The host environment. */
    final class Host implements Environment {
        static final Host INSTANCE = new Host();
        private final long pid = ProcessHandle.current().pid();
        private final long uidGid = readUidGid();

        private Host() {}

        private static long readUidGid() {
            try {
                long uid = 0, gid = 0;
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) uid = Long.parseLong(line.split("\\s+")[1]);
                    if (line.startsWith("Gid:")) gid = Long.parseLong(line.split("\\s+")[1]);
                }
                return gid << 32 | uid;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        @Override public long ktimeNs() { return System.nanoTime(); }
        @Override public int prandomU32() { return ThreadLocalRandom.current().nextInt(); }
        @Override public int cpu() { return 0; }
        @Override public long pidTgid() { return pid << 32 | pid; }
        @Override public long uidGid() { return uidGid; }
        @Override public String comm() { return "java"; }
        @Override public boolean readMemory(long address, byte[] into, boolean user) { return false; }
        @Override public void tracePrintk(String line) { System.err.println(line); }
    }
}
