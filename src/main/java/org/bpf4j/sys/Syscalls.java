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

    /** bpf(cmd, attr, size); returns the kernel's non-negative result. */
    public static int bpf(BpfCmd cmd, MemorySegment attr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            long r = (long) Native.SYSCALL_BPF.invokeExact(errno, Native.SYS_BPF, cmd.value(), attr, (int) attr.byteSize());
            if (r < 0) throw new BpfException(cmd.uapiName(), Native.errno(errno));
            return (int) r;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Like {@link #bpf} but returns {@code -errno} instead of throwing, for calls where failure is an answer. */
    public static int bpfOrErrno(BpfCmd cmd, MemorySegment attr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            long r = (long) Native.SYSCALL_BPF.invokeExact(errno, Native.SYS_BPF, cmd.value(), attr, (int) attr.byteSize());
            return r < 0 ? -Native.errno(errno) : (int) r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** perf_event_open(attr, pid, cpu, group_fd, flags); returns the new descriptor. */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            long r = (long) Native.SYSCALL_PERF.invokeExact(errno, Native.SYS_PERF_EVENT_OPEN, attr, pid, cpu, groupFd, flags);
            if (r < 0) throw new BpfException("perf_event_open", Native.errno(errno));
            return (int) r;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** ioctl(fd, request, arg); {@code what} names the request in errors. */
    public static int ioctl(int fd, long request, long arg, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            int r = (int) Native.IOCTL.invokeExact(errno, fd, request, arg);
            if (r < 0) throw new BpfException(what, Native.errno(errno));
            return r;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** close(fd); errors are ignored, as after close the descriptor is gone either way. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int unused = (int) Native.CLOSE.invokeExact(Native.errnoSlot(arena), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** mmap(NULL, length, prot, flags, fd, offset) of a shared mapping; the segment has {@code length} bytes. */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            MemorySegment p = (MemorySegment) Native.MMAP.invokeExact(errno, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (p.address() == -1L) throw new BpfException("mmap", Native.errno(errno));
            return p.reinterpret(length);
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** munmap of a segment returned by {@link #mmap}. */
    public static void munmap(MemorySegment mapping) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            int r = (int) Native.MUNMAP.invokeExact(errno, mapping, mapping.byteSize());
            if (r < 0) throw new BpfException("munmap", Native.errno(errno));
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** mount(source, target, fstype, 0, NULL). */
    public static void mount(String source, String target, String fstype) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            int r = (int) Native.MOUNT.invokeExact(errno, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fstype), 0L, MemorySegment.NULL);
            if (r < 0) throw new BpfException("mount " + fstype + " on " + target, Native.errno(errno));
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** kill(pid, sig): sends a signal (e.g. SIGCONT to a child started stopped). */
    public static void kill(int pid, int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Native.errnoSlot(arena);
            int r = (int) Native.KILL.invokeExact(errno, pid, sig);
            if (r < 0) throw new BpfException("kill " + pid, Native.errno(errno));
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
