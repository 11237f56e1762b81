package org.bpf4j.lang.stap;

import org.bpf4j.lang.syntax.Stmt;
import org.bpf4j.lang.syntax.Token;
import org.bpf4j.lang.syntax.TokenCursor;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape an inlined SystemTap function's body takes before the statement that calls it: the tree has no
 * function calls, so a {@code return} ends the body by putting what follows it into the other branch.
 */
final class Inlining {
    private Inlining() {}

    /** A body whose {@code return}s end it: what follows a return-bearing if goes into both of its branches. */
    static List<Stmt> structured(TokenCursor in, List<Stmt> body, Token at) {
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            Stmt s = body.get(i);
            List<Stmt> rest = body.subList(i + 1, body.size());
            switch (s) {
                case Stmt.Return r -> { return out; }
                case Stmt.Block b when returns(b) -> {
                    out.addAll(structured(in, concat(b.body(), rest), at));
                    return out;
                }
                case Stmt.If f when returns(f) -> {
                    out.add(new Stmt.If(f.cond(), structured(in, concat(f.then(), rest), at), structured(in, concat(f.otherwise(), rest), at), f.span()));
                    return out;
                }
                default -> {
                    if (returns(s)) throw in.error(at, "a return inside a loop of " + at.text() + "() is not supported: bpf4j inlines SystemTap functions");
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static List<Stmt> concat(List<Stmt> a, List<Stmt> b) {
        List<Stmt> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static boolean returns(Stmt s) {
        return switch (s) {
            case Stmt.Return r -> true;
            case Stmt.Block b -> b.body().stream().anyMatch(Inlining::returns);
            case Stmt.If f -> f.then().stream().anyMatch(Inlining::returns) || f.otherwise().stream().anyMatch(Inlining::returns);
            case Stmt.While w -> w.body().stream().anyMatch(Inlining::returns);
            case Stmt.Unroll u -> u.body().stream().anyMatch(Inlining::returns);
            case Stmt.Foreach f -> f.body().stream().anyMatch(Inlining::returns);
            case Stmt.ForMap f -> f.body().stream().anyMatch(Inlining::returns);
            default -> false;
        };
    }
}
