package org.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library functions bpf4j calls through FFM, as static final handles with errno captured.
 * Every call takes the segment that receives errno first; {@link Call} wraps that bookkeeping.
 * x86-64 Linux only: the syscall numbers are the x86-64 ones.
 */
public final class Native {
    private Native() {}

    /** x86-64 syscall numbers. */
    public static final long SYS_BPF = 321, SYS_PERF_EVENT_OPEN = 298, SYS_GETTID = 186;

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    /** {@code long syscall(long nr, int, void*, int)}: bpf(cmd, attr, size). */
    static final MethodHandle SYSCALL_BPF = variadic("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code long syscall(long nr, void*, int, int, int, long)}: perf_event_open(attr, pid, cpu, group_fd, flags). */
    static final MethodHandle SYSCALL_PERF = variadic("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    /** {@code int ioctl(int fd, unsigned long request, unsigned long arg)}. */
    static final MethodHandle IOCTL = LINKER.downcallHandle(find("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE, Linker.Option.firstVariadicArg(2));
    static final MethodHandle CLOSE = plain("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle MMAP = plain("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    static final MethodHandle MUNMAP = plain("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    static final MethodHandle EPOLL_CREATE1 = plain("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle EPOLL_CTL = plain("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle EPOLL_WAIT = plain("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle MOUNT = plain("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle DUP_CLOEXEC = plain("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(find("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(find("geteuid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = LINKER.downcallHandle(find("getpid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPPID = LINKER.downcallHandle(find("getppid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = LINKER.downcallHandle(find("gettid"), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(find("sysconf"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(find(name), fd, CAPTURE);
    }

    private static MethodHandle variadic(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(find(name), fd, CAPTURE, Linker.Option.firstVariadicArg(1));
    }

    /** Allocates the segment that a call writes errno into. */
    static MemorySegment errnoSlot(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** Reads errno from a slot filled by a call. */
    static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }

    /** The C library's text for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The effective user id of this process. */
    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The process id of this JVM. */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * getppid(2) through the C library: the parent's process id. Tests and the event-rate bench call it as a
     * cheap system call with a tracepoint ({@code syscalls:sys_enter_getppid}) and a libc symbol to probe.
     */
    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The kernel's id of the calling thread (what perf_event_open takes to follow one thread). */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The page size of this machine. */
    public static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(30 /* _SC_PAGESIZE */);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
