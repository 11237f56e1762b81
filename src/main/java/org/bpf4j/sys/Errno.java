package org.bpf4j.sys;

/** Errno names and messages for the values bpf(2), perf_event_open(2) and friends return. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19,
            EINVAL = 22, EMFILE = 24, ENOSPC = 28, ERANGE = 34, ENOSYS = 38, ELOOP = 40, EOPNOTSUPP = 95,
            ENOTSUPP = 524;

    private static final String[] NAMES = new String[135];
    static {
        String[][] table = {
            {"1", "EPERM"}, {"2", "ENOENT"}, {"3", "ESRCH"}, {"4", "EINTR"}, {"5", "EIO"}, {"6", "ENXIO"},
            {"7", "E2BIG"}, {"8", "ENOEXEC"}, {"9", "EBADF"}, {"10", "ECHILD"}, {"11", "EAGAIN"}, {"12", "ENOMEM"},
            {"13", "EACCES"}, {"14", "EFAULT"}, {"16", "EBUSY"}, {"17", "EEXIST"}, {"18", "EXDEV"}, {"19", "ENODEV"},
            {"20", "ENOTDIR"}, {"21", "EISDIR"}, {"22", "EINVAL"}, {"23", "ENFILE"}, {"24", "EMFILE"},
            {"25", "ENOTTY"}, {"27", "EFBIG"}, {"28", "ENOSPC"}, {"30", "EROFS"}, {"34", "ERANGE"},
            {"38", "ENOSYS"}, {"40", "ELOOP"}, {"61", "ENODATA"}, {"95", "EOPNOTSUPP"}, {"110", "ETIMEDOUT"}};
        for (String[] e : table) NAMES[Integer.parseInt(e[0])] = e[1];
    }

    /** The symbolic name of {@code errno} (e.g. {@code "EPERM"}), or {@code "errno N"} when unknown. */
    public static String name(int errno) {
        if (errno == ENOTSUPP) return "ENOTSUPP";
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    /** The C library's message with the name, e.g. {@code "Operation not permitted (EPERM)"}. */
    public static String describe(int errno) {
        if (errno == ENOTSUPP) return "Operation not supported by the kernel (ENOTSUPP)";
        return Native.strerror(errno) + " (" + name(errno) + ")";
    }
}
