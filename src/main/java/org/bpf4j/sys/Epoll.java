package org.bpf4j.sys;

import org.bpf4j.BpfException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/** An epoll instance that owns its descriptor; {@code struct epoll_event} is packed (12 bytes) on x86-64. */
public final class Epoll implements AutoCloseable {
    private static final int EVENT_SIZE = 12, EPOLL_CTL_ADD = 1, EPOLLIN = 1, EPOLL_CLOEXEC = 0x80000;
    private final Fd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    private final int capacity;

    /** Creates an epoll instance that reports up to {@code capacity} ready descriptors per wait. */
    public Epoll(int capacity) {
        this.capacity = capacity;
        this.events = arena.allocate((long) EVENT_SIZE * capacity, 8);
        try {
            this.fd = new Fd(Syscalls.epollCreate(EPOLL_CLOEXEC));
        } catch (BpfException e) {
            arena.close();
            throw e;
        }
    }

    /** Watches {@code target} for input; {@code token} comes back from {@link #await} when it is ready. */
    public void add(int target, long token) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EVENT_SIZE, 8);
            ev.set(JAVA_INT_UNALIGNED, 0, EPOLLIN);
            ev.set(JAVA_LONG_UNALIGNED, 4, token);
            Syscalls.epollCtl(fd.value(), EPOLL_CTL_ADD, target, ev);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} and fills {@code tokens} with the tokens of ready descriptors.
     * Returns how many; 0 on time-out or when interrupted by a signal.
     */
    public int await(int timeoutMillis, long[] tokens) {
        int n = Syscalls.epollWait(fd.value(), events, Math.min(capacity, tokens.length), timeoutMillis);
        for (int i = 0; i < n; i++) tokens[i] = events.get(JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + 4);
        return n;
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
