package org.bpf4j;

/**
 * A kernel call failed: carries the call (e.g. {@code BPF_MAP_CREATE}) and the errno it returned.
 * The message reads like {@code "BPF_MAP_CREATE: Operation not permitted (EPERM)"}.
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    /** Creates an exception for {@code call} failing with {@code errno}, with an optional detail. */
    public BpfException(String call, int errno, String detail) {
        super(call + ": " + org.bpf4j.sys.Errno.describe(errno) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errno = errno;
    }

    /** Creates an exception for {@code call} failing with {@code errno}. */
    public BpfException(String call, int errno) {
        this(call, errno, null);
    }

    /**
     * A failure whose whole message is {@code message}, standing for {@code call} failing with {@code errno}:
     * for checks bpf4j makes itself the way the kernel would (the userspace verifier).
     */
    protected BpfException(String message, String call, int errno) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /** Wraps another failure with context, keeping the errno of the cause. */
    public BpfException(String message, BpfException cause) {
        super(message + ": " + cause.getMessage(), cause);
        this.call = cause.call;
        this.errno = cause.errno;
    }

    /** The kernel call that failed, as its UAPI name. */
    public String call() { return call; }

    /** The errno the kernel returned (positive). */
    public int errno() { return errno; }
}
