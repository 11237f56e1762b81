package org.bpf4j.lang.stap;

import org.bpf4j.lang.syntax.BinOp;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.LoweredCalls;
import org.bpf4j.lang.syntax.Span;
import org.bpf4j.lang.syntax.Stmt;
import org.bpf4j.lang.syntax.Token;
import org.bpf4j.lang.syntax.TokenCursor;

import java.util.ArrayList;
import java.util.List;

import static org.bpf4j.lang.syntax.LoweredCalls.*;

/**
 * SystemTap's output and clock functions lowered to the shared tree: {@code print}/{@code println} as one print per
 * value, {@code printf} with SystemTap's 64-bit {@code %d}, {@code sprintf} as a concatenation built on the BPF
 * stack, and {@code gettimeofday_*} as the monotonic clock plus its distance to the real-time clock.
 */
final class Lowering {
    private Lowering() {}

    /**
     * The time of day in units of {@code unit} ns: the monotonic clock BPF reads plus its distance to the real-time
     * clock, measured now (as SystemTap's gettimeofday_* read the kernel's real-time clock).
     */
    static Expr wallClock(Span at, long unit) {
        java.time.Instant now = java.time.Instant.now();
        long offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        Expr ns = new Expr.Binary(BinOp.ADD, new Expr.Builtin("nsecs", at), new Expr.Int(offset, at), at);
        return unit == 1 ? ns : new Expr.Binary(BinOp.DIV, ns, new Expr.Int(unit, at), at);
    }

    /**
     * print(a, b, ...) writes the values one after another, println the same and a newline: all but the last go
     * before the statement, each its own print without a newline ({@link LoweredCalls#PRINT_INLINE}).
     */
    static Expr print(TokenCursor in, Token t, List<Expr> args, List<Stmt> pending) {
        Span at = t.span();
        boolean line = t.text().equals("println");
        if (args.size() == 1 && args.getFirst() instanceof Expr.Call c && c.name().equals(HIST_PRINT)) return c;
        if (args.isEmpty()) {
            if (!line) throw in.error(t, "print() needs a value");
            return new Expr.Call("printf", List.of(new Expr.Str("\n", at)), at);
        }
        for (int i = 0; i < args.size() - 1; i++)
            pending.add(new Stmt.ExprStmt(new Expr.Call(PRINT_INLINE, List.of(args.get(i)), at), at));
        return new Expr.Call(line ? PRINT_LINE : PRINT_INLINE, List.of(args.getLast()), at);
    }

    /** printf: SystemTap's %d is 64-bit (bpftrace's is C's int), and a concatenation argument becomes several %s. */
    static Expr printf(TokenCursor in, Token t, List<Expr> args) {
        if (args.isEmpty() || !(args.getFirst() instanceof Expr.Str fmt)) throw in.error(t, "printf() needs a format string");
        StringBuilder out = new StringBuilder();
        List<Expr> values = new ArrayList<>();
        String f = fmt.value();
        int arg = 1;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%') { out.append(c); continue; }
            int start = i++;
            if (i < f.length() && f.charAt(i) == '%') { out.append("%%"); continue; }
            while (i < f.length() && "-+ #0123456789.".indexOf(f.charAt(i)) >= 0) i++;
            int len = i;
            while (i < f.length() && "hljzt".indexOf(f.charAt(i)) >= 0) i++;
            if (i >= f.length()) { out.append(f, start, i); break; }
            char conv = f.charAt(i);
            String spec = f.substring(start, len) + (len == i && "diouxX".indexOf(conv) >= 0 ? "l" : f.substring(len, i)) + conv;
            Expr a = arg < args.size() ? args.get(arg++) : null;
            if (a instanceof Expr.Binary b && b.op() == BinOp.CONCAT && conv == 's') {
                List<Expr> parts = new ArrayList<>();
                LoweredCalls.flatten(a, parts);
                for (Expr p : parts) { out.append(spec); values.add(p); }
            } else {
                out.append(spec);
                if (a != null) values.add(a);
            }
        }
        for (; arg < args.size(); arg++) values.add(args.get(arg));
        List<Expr> all = new ArrayList<>();
        all.add(new Expr.Str(out.toString(), fmt.span()));
        all.addAll(values);
        return new Expr.Call("printf", all, t.span());
    }

    /**
     * sprintf(fmt, ...) as a string built on the BPF stack: the format's text, {@code %s} strings and {@code %d},
     * {@code %u}, {@code %x} integers (their digits, {@link LoweredCalls#ITOA}) joined with '.' (no widths or flags).
     */
    static Expr sprintf(TokenCursor in, Token t, List<Expr> args) {
        if (args.isEmpty() || !(args.getFirst() instanceof Expr.Str fmt)) throw in.error(t, "sprintf() needs a format string");
        Span at = t.span();
        List<Expr> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String f = fmt.value();
        int arg = 1;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%') { text.append(c); continue; }
            if (++i >= f.length()) throw in.error(t, "sprintf(): incomplete conversion at the end of the format");
            char conv = f.charAt(i);
            if (conv == '%') { text.append('%'); continue; }
            while ("lhjzt".indexOf(conv) >= 0 && i + 1 < f.length()) conv = f.charAt(++i);
            if ("sdiux".indexOf(conv) < 0)
                throw in.error(t, "sprintf(): %" + conv + " is not supported (bpf4j builds %s, %d, %u and %x, without widths or flags)");
            if (arg >= args.size()) throw in.error(t, "sprintf(): not enough arguments for the format");
            if (!text.isEmpty()) parts.add(new Expr.Str(text.toString(), at));
            text.setLength(0);
            Expr a = args.get(arg++);
            parts.add(conv == 's' ? a : new Expr.Call(ITOA, List.of(a, new Expr.Int(conv == 'x' ? 16 : 10, at),
                    new Expr.Int(conv == 'd' || conv == 'i' ? 1 : 0, at)), at));
        }
        if (arg < args.size()) throw in.error(t, "sprintf(): more arguments than the format has conversions");
        if (!text.isEmpty() || parts.isEmpty()) parts.add(new Expr.Str(text.toString(), at));
        Expr out = parts.getFirst();
        for (int i = 1; i < parts.size(); i++) out = new Expr.Binary(BinOp.CONCAT, out, parts.get(i), at);
        return out;
    }
}
