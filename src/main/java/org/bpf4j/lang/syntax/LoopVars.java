package org.bpf4j.lang.syntax;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The variables the bodies of v0.26's loops over maps use: the code generator keeps them where every callback
 * finds them (the head of each frame), and the others out of the callbacks' copies.
 */
public final class LoopVars {
    private LoopVars() {}

    /** The variables used in the bodies of the loops over maps in {@code body}, their loop variables included. */
    public static Set<String> of(List<Stmt> body) {
        Set<String> names = new HashSet<>();
        UnaryOperator<Expr> vars = new UnaryOperator<>() {
            public Expr apply(Expr e) {
                if (e instanceof Expr.Var v) names.add(v.name());
                return Macros.map(e, this);
            }
        };
        UnaryOperator<List<Stmt>> inLoop = new UnaryOperator<>() {
            public List<Stmt> apply(List<Stmt> b) {
                for (Stmt s : b) Macros.mapStmt(s, vars, this);
                return b;
            }
        };
        UnaryOperator<List<Stmt>> outside = new UnaryOperator<>() {
            public List<Stmt> apply(List<Stmt> b) {
                for (Stmt s : b) {
                    if (s instanceof Stmt.ForMap f) {
                        names.add(f.var().name());
                        inLoop.apply(f.body());
                    } else {
                        Macros.mapStmt(s, e -> e, this);
                    }
                }
                return b;
            }
        };
        outside.apply(body);
        return names;
    }
}
