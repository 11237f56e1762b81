package org.bpf4j.sys;

/**
 * A file descriptor with exactly one owner. Closing is idempotent; every kernel object bpf4j
 * creates (map, program, link, perf event, epoll instance) is held by one of these.
 */
public final class Fd implements AutoCloseable {
    private volatile int value;

    /** Takes ownership of {@code value}, which must be a valid descriptor. */
    public Fd(int value) {
        if (value < 0) throw new IllegalArgumentException("invalid fd " + value);
        this.value = value;
    }

    /** The descriptor number; throws when already closed. */
    public int value() {
        int v = value;
        if (v < 0) throw new IllegalStateException("file descriptor already closed");
        return v;
    }

    /** True until {@link #close()} has run. */
    public boolean isOpen() { return value >= 0; }

    /** A second descriptor for the same kernel object, with its own owner (F_DUPFD_CLOEXEC). */
    public Fd dup() {
        return new Fd(Syscalls.fcntl(value(), 1030 /* F_DUPFD_CLOEXEC */, 3));
    }

    /** Closes the descriptor once; later calls do nothing. */
    @Override
    public void close() {
        int v;
        synchronized (this) {
            v = value;
            value = -1;
        }
        if (v >= 0) Syscalls.close(v);
    }

    @Override
    public String toString() { return "fd " + value; }
}
