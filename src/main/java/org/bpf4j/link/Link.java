package org.bpf4j.link;

/**
 * A program attached to a hook; closing it detaches the program. One sealed family, one type per kind of
 * attach point.
 */
public sealed interface Link extends AutoCloseable
        permits TracepointLink, RawTracepointLink, PerfEventLink, UprobeLink, UsdtLink, KprobeLink, KprobeMultiLink,
        TracingLink, UprobeMultiLink {
    /** A short description such as {@code "tracepoint:syscalls:sys_enter_kill"}. */
    String describe();

    /** Detaches; idempotent. */
    @Override
    void close();
}
