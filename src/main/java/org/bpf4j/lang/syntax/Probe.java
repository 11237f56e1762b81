package org.bpf4j.lang.syntax;

import java.util.List;

/**
 * One action block with the attach points that share it and its optional predicate.
 *
 * @param points    the attach points as written (before wildcard and parameter expansion)
 * @param predicate the {@code /filter/}, or null
 * @param body      the statements
 * @param span      where the probe starts
 */
public record Probe(List<AttachPoint> points, Expr predicate, List<Stmt> body, Span span) {
    /** Copies the lists. */
    public Probe { points = List.copyOf(points); body = List.copyOf(body); }

    /** An attach point as written, e.g. {@code tracepoint:syscalls:sys_enter_kill}. */
    public record AttachPoint(String text, Span span) {}
}
