package org.bpf4j.sys;

import org.bpf4j.BpfException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Thin wrappers over the system calls bpf4j makes: each returns the result or throws
 * {@link BpfException} naming the call and the errno. Not a public API.
 */
public final class Syscalls {
    private Syscalls() {}

    /** Calls {@code nr} and returns its result, or {@code -errno} on failure. */
    static long call(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            long r = Native.syscall(errno, nr, a1, a2, a3, a4, a5, a6);
            return r == -1 ? -Native.errno(errno) : r;
        }
    }

    /** Calls {@code nr} and returns its result; throws {@link BpfException} naming {@code what} on failure. */
    static long check(String what, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        long r = call(nr, a1, a2, a3, a4, a5, a6);
        if (r < 0 && r >= -4095) throw new BpfException(what, (int) -r);
        return r;
    }

    /** bpf(cmd, attr, size); returns the kernel's non-negative result. */
    public static int bpf(BpfCmd cmd, MemorySegment attr) {
        return (int) check(cmd.uapiName(), Native.SYS_BPF, cmd.value(), attr.address(), attr.byteSize(), 0, 0, 0);
    }

    /** Like {@link #bpf} but returns {@code -errno} instead of throwing, for calls where failure is an answer. */
    public static int bpfOrErrno(BpfCmd cmd, MemorySegment attr) {
        return (int) call(Native.SYS_BPF, cmd.value(), attr.address(), attr.byteSize(), 0, 0, 0);
    }

    /** perf_event_open(attr, pid, cpu, group_fd, flags); returns the new descriptor. */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        return (int) check("perf_event_open", Native.SYS_PERF_EVENT_OPEN, attr.address(), pid, cpu, groupFd, flags, 0);
    }

    /** ioctl(fd, request, arg); {@code what} names the request in errors. */
    public static int ioctl(int fd, long request, long arg, String what) {
        return (int) check(what, Native.SYS_IOCTL, fd, request, arg, 0, 0, 0);
    }

    /** close(fd); errors are ignored, as after close the descriptor is gone either way. */
    public static void close(int fd) {
        call(Native.SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /** fcntl(fd, cmd, arg). */
    public static int fcntl(int fd, int cmd, long arg) {
        return (int) check("fcntl", Native.SYS_FCNTL, fd, cmd, arg, 0, 0, 0);
    }

    /** mmap(NULL, length, prot, flags, fd, offset) of a shared mapping; the segment has {@code length} bytes. */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        long p = check("mmap", Native.SYS_MMAP, 0, length, prot, flags, fd, offset);
        return MemorySegment.ofAddress(p).reinterpret(length);
    }

    /** munmap of a segment returned by {@link #mmap}. */
    public static void munmap(MemorySegment mapping) {
        check("munmap", Native.SYS_MUNMAP, mapping.address(), mapping.byteSize(), 0, 0, 0, 0);
    }

    /** epoll_create1(flags). */
    static int epollCreate(int flags) {
        return (int) check("epoll_create1", Native.SYS_EPOLL_CREATE1, flags, 0, 0, 0, 0, 0);
    }

    /** epoll_ctl(epfd, op, fd, event). */
    static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
        check("epoll_ctl", Native.SYS_EPOLL_CTL, epfd, op, fd, event.address(), 0, 0);
    }

    /** epoll_wait(epfd, events, max, timeout); 0 when a signal interrupted it. */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis) {
        long r = call(Native.SYS_EPOLL_WAIT, epfd, events.address(), max, timeoutMillis, 0, 0);
        if (r == -Errno.EINTR) return 0;
        if (r < 0) throw new BpfException("epoll_wait", (int) -r);
        return (int) r;
    }

    /** mount(source, target, fstype, 0, NULL). */
    public static void mount(String source, String target, String fstype) {
        try (Arena arena = Arena.ofConfined()) {
            check("mount " + fstype + " on " + target, Native.SYS_MOUNT, arena.allocateFrom(source).address(),
                    arena.allocateFrom(target).address(), arena.allocateFrom(fstype).address(), 0, 0, 0);
        }
    }

    /** kill(pid, sig): sends a signal (e.g. SIGCONT to a child started stopped). */
    public static void kill(int pid, int sig) {
        check("kill " + pid, Native.SYS_KILL, pid, sig, 0, 0, 0, 0);
    }

    /**
     * Gives {@code sig} back its default action when it is ignored (rt_sigaction): a shell ignores SIGINT in the
     * commands it starts with {@code &}, and the JVM does not take over an ignored signal. Returns whether it was
     * ignored.
     */
    public static boolean unignoreSignal(int sig) {
        try (Arena arena = Arena.ofConfined()) {
            // struct kernel_sigaction (x86-64): handler, flags, restorer, mask: 8 bytes each
            MemorySegment old = arena.allocate(32, 8);
            check("rt_sigaction", Native.SYS_RT_SIGACTION, sig, 0, old.address(), 8, 0, 0);
            if (old.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0) != 1 /* SIG_IGN */) return false;
            MemorySegment dfl = arena.allocate(32, 8);
            check("rt_sigaction", Native.SYS_RT_SIGACTION, sig, dfl.address(), 0, 8, 0, 0);
            return true;
        }
    }
}
