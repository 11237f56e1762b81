package org.bpf4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library through FFM. Every system call goes through ONE downcall handle, the C library's
 * {@code long syscall(long nr, ...)} with six long arguments and errno captured: one stub to generate at start-up
 * instead of one per function (pointers pass as their addresses, ints widen to longs, as the x86-64 syscall ABI
 * takes them). The two plain C functions (strerror, getppid) are linked lazily, each on its first use.
 * x86-64 Linux only: the syscall numbers are the x86-64 ones.
 */
public final class Native {
    private Native() {}

    /** x86-64 system call numbers. */
    public static final long SYS_CLOSE = 3, SYS_RT_SIGACTION = 13, SYS_MMAP = 9, SYS_MUNMAP = 11, SYS_IOCTL = 16, SYS_GETPID = 39, SYS_KILL = 62,
            SYS_FCNTL = 72, SYS_GETEUID = 107, SYS_MOUNT = 165, SYS_GETTID = 186, SYS_CLOCK_GETTIME = 228, SYS_EPOLL_WAIT = 232,
            SYS_EPOLL_CTL = 233, SYS_EPOLL_CREATE1 = 291, SYS_PERF_EVENT_OPEN = 298, SYS_BPF = 321;

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    // errno's offset in the capture layout, read as a plain int: a var handle for the path costs ms at start-up
    private static final long ERRNO_OFFSET = CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * {@code long syscall(long nr, long, long, long, long, long, long)}, errno captured into the first argument.
     * Declared as a fixed-argument function although C declares it variadic: on x86-64 the two differ only in
     * {@code %al} (the count of vector registers a variadic callee may read), which glibc's syscall, written in
     * assembly, never reads; integer arguments travel in the same registers and stack slots either way. A
     * variadic downcall costs about 6 ms more to link, at every start.
     */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(find("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"));

    /*
     * C functions used rarely or only on error paths, each linked on first use and apart: linking a downcall
     * generates code, a few milliseconds of start-up each.
     */
    private static final class Strerror {
        static final MethodHandle HANDLE = LINKER.downcallHandle(find("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final class Getppid {
        static final MethodHandle HANDLE = LINKER.downcallHandle(find("getppid"), FunctionDescriptor.of(JAVA_INT));
    }

    private static volatile long pageSize;

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** Allocates the segment that a call writes errno into. */
    static MemorySegment errnoSlot(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** Reads errno from a slot filled by a call. */
    static int errno(MemorySegment slot) {
        return slot.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** syscall(nr, a1..a6): the raw result, -1 with errno in {@code errno} on failure. */
    static long syscall(MemorySegment errno, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL.invokeExact(errno, nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A system call that cannot fail (getpid and the like). */
    private static long infallible(long nr) {
        try (Arena arena = Arena.ofConfined()) {
            return syscall(errnoSlot(arena), nr, 0, 0, 0, 0, 0, 0);
        }
    }

    /** The C library's text for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The effective user id of this process. */
    public static int geteuid() { return (int) infallible(SYS_GETEUID); }

    /** The process id of this JVM. */
    public static int getpid() { return (int) infallible(SYS_GETPID); }

    /** The kernel's id of the calling thread (what perf_event_open takes to follow one thread). */
    public static int gettid() { return (int) infallible(SYS_GETTID); }

    /**
     * getppid(2) through the C library: the parent's process id. Tests and the event-rate bench call it as a
     * cheap system call with a tracepoint ({@code syscalls:sys_enter_getppid}) and a libc symbol to probe.
     */
    public static int getppid() {
        try {
            return (int) Getppid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Clock ids for {@link #clockGettime}: {@code CLOCK_REALTIME}, {@code CLOCK_MONOTONIC}, {@code CLOCK_BOOTTIME}. */
    public static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7;

    /** clock_gettime(clock) as seconds and nanoseconds: {@code [tv_sec, tv_nsec]}. */
    public static long[] clockGettime(int clock) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            if (syscall(errnoSlot(arena), SYS_CLOCK_GETTIME, clock, ts.address(), 0, 0, 0, 0) != 0)
                throw new IllegalStateException("clock_gettime(" + clock + ") failed");
            return new long[] {ts.get(JAVA_LONG, 0), ts.get(JAVA_LONG, 8)};
        }
    }

    /** The page size of this machine: AT_PAGESZ of the auxiliary vector the kernel gave this process. */
    public static long pageSize() {
        long p = pageSize;
        if (p == 0) {
            p = auxv(6 /* AT_PAGESZ */);
            pageSize = p == 0 ? 4096 : p;
        }
        return pageSize;
    }

    /** An entry of /proc/self/auxv ({@code Elf64_auxv_t}: type and value, native order), 0 when absent. */
    static long auxv(long type) {
        try {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/auxv")))
                    .order(java.nio.ByteOrder.nativeOrder());
            while (b.remaining() >= 16) {
                long t = b.getLong(), v = b.getLong();
                if (t == type) return v;
                if (t == 0) break;
            }
        } catch (java.io.IOException ignored) {
            // not Linux: the caller's default
        }
        return 0;
    }
}
