package org.bpf4j.lang.syntax;

import java.util.Map;

/**
 * The macros of the few C headers scripts include for constants, built in because bpf4j reads no header files:
 * {@code errno.h} (x86-64 Linux values), {@code sys/socket.h}'s address families, and the task states of the
 * kernel's {@code linux/sched.h} (which BTF does not carry: they are macros), so that tools such as runqlat and
 * tcpdrop run without kernel headers. Enumerators the kernel's BTF has need no header.
 */
public final class Headers {
    private Headers() {}

    private static final Map<String, String> ERRNO = Map.ofEntries(
            Map.entry("EPERM", "1"), Map.entry("ENOENT", "2"), Map.entry("ESRCH", "3"), Map.entry("EINTR", "4"),
            Map.entry("EIO", "5"), Map.entry("ENXIO", "6"), Map.entry("E2BIG", "7"), Map.entry("ENOEXEC", "8"),
            Map.entry("EBADF", "9"), Map.entry("ECHILD", "10"), Map.entry("EAGAIN", "11"), Map.entry("EWOULDBLOCK", "11"),
            Map.entry("ENOMEM", "12"), Map.entry("EACCES", "13"), Map.entry("EFAULT", "14"), Map.entry("ENOTBLK", "15"),
            Map.entry("EBUSY", "16"), Map.entry("EEXIST", "17"), Map.entry("EXDEV", "18"), Map.entry("ENODEV", "19"),
            Map.entry("ENOTDIR", "20"), Map.entry("EISDIR", "21"), Map.entry("EINVAL", "22"), Map.entry("ENFILE", "23"),
            Map.entry("EMFILE", "24"), Map.entry("ENOTTY", "25"), Map.entry("ETXTBSY", "26"), Map.entry("EFBIG", "27"),
            Map.entry("ENOSPC", "28"), Map.entry("ESPIPE", "29"), Map.entry("EROFS", "30"), Map.entry("EMLINK", "31"),
            Map.entry("EPIPE", "32"), Map.entry("EDOM", "33"), Map.entry("ERANGE", "34"), Map.entry("EDEADLK", "35"),
            Map.entry("ENAMETOOLONG", "36"), Map.entry("ENOLCK", "37"), Map.entry("ENOSYS", "38"),
            Map.entry("ENOTEMPTY", "39"), Map.entry("ELOOP", "40"), Map.entry("ENOMSG", "42"), Map.entry("ENODATA", "61"),
            Map.entry("ETIME", "62"), Map.entry("EOVERFLOW", "75"), Map.entry("EOPNOTSUPP", "95"), Map.entry("ENOTSUP", "95"),
            Map.entry("EADDRINUSE", "98"), Map.entry("ECONNRESET", "104"), Map.entry("ETIMEDOUT", "110"),
            Map.entry("ECONNREFUSED", "111"), Map.entry("EALREADY", "114"), Map.entry("EINPROGRESS", "115"));

    // include/linux/sched.h, unchanged in meaning since 5.14 (the values a task's __state and a sched_switch's
    // prev_state hold)
    private static final Map<String, String> SCHED = Map.ofEntries(
            Map.entry("TASK_RUNNING", "0x00000000"), Map.entry("TASK_INTERRUPTIBLE", "0x00000001"),
            Map.entry("TASK_UNINTERRUPTIBLE", "0x00000002"), Map.entry("__TASK_STOPPED", "0x00000004"),
            Map.entry("__TASK_TRACED", "0x00000008"), Map.entry("EXIT_DEAD", "0x00000010"),
            Map.entry("EXIT_ZOMBIE", "0x00000020"), Map.entry("EXIT_TRACE", "(EXIT_ZOMBIE | EXIT_DEAD)"),
            Map.entry("TASK_PARKED", "0x00000040"), Map.entry("TASK_DEAD", "0x00000080"),
            Map.entry("TASK_WAKEKILL", "0x00000100"), Map.entry("TASK_WAKING", "0x00000200"),
            Map.entry("TASK_NOLOAD", "0x00000400"), Map.entry("TASK_NEW", "0x00000800"),
            Map.entry("TASK_KILLABLE", "(TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)"),
            Map.entry("TASK_STOPPED", "(TASK_WAKEKILL | __TASK_STOPPED)"), Map.entry("TASK_TRACED", "__TASK_TRACED"),
            Map.entry("TASK_IDLE", "(TASK_UNINTERRUPTIBLE | TASK_NOLOAD)"), Map.entry("TASK_COMM_LEN", "16"));

    // the address families of sys/socket.h (linux/socket.h in the kernel), which bpftrace's tools compare with
    private static final Map<String, String> SOCKET = Map.ofEntries(
            Map.entry("AF_UNSPEC", "0"), Map.entry("AF_UNIX", "1"), Map.entry("AF_LOCAL", "1"), Map.entry("AF_INET", "2"),
            Map.entry("AF_INET6", "10"), Map.entry("AF_NETLINK", "16"), Map.entry("AF_PACKET", "17"),
            Map.entry("AF_VSOCK", "40"), Map.entry("AF_XDP", "44"), Map.entry("PF_UNSPEC", "0"), Map.entry("PF_UNIX", "1"),
            Map.entry("PF_LOCAL", "1"), Map.entry("PF_INET", "2"), Map.entry("PF_INET6", "10"), Map.entry("PF_NETLINK", "16"),
            Map.entry("PF_PACKET", "17"), Map.entry("SOCK_STREAM", "1"), Map.entry("SOCK_DGRAM", "2"), Map.entry("SOCK_RAW", "3"));

    /** The headers bpftrace carries itself (its /bpftrace/include), found whatever the machine has. */
    private static final java.util.Set<String> BUILTIN = java.util.Set.of("float.h", "limits.h", "stdarg.h", "stdbool.h",
            "stddef.h", "stdint.h", "__stddef_max_align_t.h", "__btf_generated_header.h");

    /**
     * The top directories of the kernel's include tree: bpf4j takes the kernel's types from its BTF, so it reads none
     * of these headers and needs no kernel headers installed to accept them.
     */
    private static final java.util.Set<String> KERNEL = java.util.Set.of("acpi", "asm", "asm-generic", "clocksource",
            "crypto", "cxl", "drm", "dt-bindings", "keys", "kunit", "kvm", "linux", "math-emu", "media", "memory", "misc",
            "net", "pcmcia", "ras", "rdma", "rv", "scsi", "soc", "sound", "target", "trace", "ufs", "uapi", "vdso", "video",
            "xen", "bpf");

    /** Where a C compiler looks for {@code #include <...>} headers on this machine, after any -I directories. */
    public static final java.util.List<String> SYSTEM_INCLUDE = java.util.List.of("/usr/local/include",
            "/usr/include/" + ("aarch64".equals(System.getProperty("os.arch")) ? "aarch64" : "x86_64") + "-linux-gnu", "/usr/include");

    /**
     * Whether {@code #include} of {@code header} finds something, as bpftrace's clang would: one of bpftrace's own
     * headers or of those bpf4j knows the macros of, a kernel header (its types come from BTF), or a file in
     * {@code dirs} or the system's include directories ({@code quoted} ones also from the working directory).
     */
    public static boolean found(String header, boolean quoted, java.util.List<String> dirs) {
        if (known(header) || BUILTIN.contains(header)) return true;
        int slash = header.indexOf('/');
        if (slash > 0 && KERNEL.contains(header.substring(0, slash))) return true;
        java.util.List<String> search = new java.util.ArrayList<>();
        if (quoted) search.add(".");
        search.addAll(dirs);
        search.addAll(SYSTEM_INCLUDE);
        for (String d : search) if (java.nio.file.Files.isRegularFile(java.nio.file.Path.of(d).resolve(header))) return true;
        return false;
    }

    /** Whether bpf4j knows the macros of {@code header} (so it needs no file for it). */
    public static boolean known(String header) {
        return !macros(header).isEmpty();
    }

    /** The macros {@code header} defines, or an empty map for headers bpf4j does not know. */
    static Map<String, String> macros(String header) {
        return switch (header) {
            case "errno.h", "linux/errno.h", "asm-generic/errno.h", "asm-generic/errno-base.h" -> ERRNO;
            case "linux/sched.h" -> SCHED;
            case "sys/socket.h", "linux/socket.h", "bits/socket.h" -> SOCKET;
            default -> Map.of();
        };
    }
}
