package org.bpf4j.lang.syntax;

import java.util.List;

/** An expression of the script: an immutable tree; analysis keeps its results in side tables. */
public sealed interface Expr {
    /** Where the expression is written. */
    Span span();

    /** An integer literal. */
    record Int(long value, Span span) implements Expr {}

    /** A string literal, escapes resolved. */
    record Str(String value, Span span) implements Expr {}

    /** A builtin variable: {@code pid}, {@code comm}, {@code args}, {@code arg0}, {@code retval}, ... */
    record Builtin(String name, Span span) implements Expr {}

    /** A positional parameter {@code $N} (N from 1). */
    record Positional(int index, Span span) implements Expr {}

    /** {@code $#}, the number of positional parameters. */
    record ParamCount(Span span) implements Expr {}

    /** A scratch variable {@code $name} (the name keeps its {@code $}). */
    record Var(String name, Span span) implements Expr {}

    /** A map, {@code @name} or {@code @name[k1, k2]} (no keys: the map's one value). */
    record MapRef(String name, List<Expr> keys, Span span) implements Expr {
        /** Copies the keys. */
        public MapRef { keys = List.copyOf(keys); }
    }

    /** A function call {@code name(args)}. */
    record Call(String name, List<Expr> args, Span span) implements Expr {
        /** Copies the arguments. */
        public Call { args = List.copyOf(args); }
    }

    /** {@code left op right}. */
    record Binary(BinOp op, Expr left, Expr right, Span span) implements Expr {}

    /** {@code op operand}. */
    record Unary(UnOp op, Expr operand, Span span) implements Expr {}

    /** {@code ++x}, {@code x++}, {@code --x}, {@code x--} on a variable or map. */
    record IncDec(Expr target, boolean increment, boolean prefix, Span span) implements Expr {}

    /** {@code cond ? then : otherwise}. */
    record Ternary(Expr cond, Expr then, Expr otherwise, Span span) implements Expr {}

    /** {@code target.field} or {@code target->field}. */
    record Field(Expr target, String field, boolean arrow, Span span) implements Expr {}

    /** {@code tuple.N}. */
    record TupleIndex(Expr target, int index, Span span) implements Expr {}

    /** {@code target[index]} on an array or a pointer. */
    record Index(Expr target, Expr index, Span span) implements Expr {}

    /** {@code (type) operand}. */
    record Cast(TypeName type, Expr operand, Span span) implements Expr {}

    /** A tuple {@code (a, b, ...)} of two or more elements. */
    record Tuple(List<Expr> elements, Span span) implements Expr {
        /** Copies the elements. */
        public Tuple { elements = List.copyOf(elements); }
    }

    /** v0.26's record {@code (a=1, b="x")}: a tuple whose elements have names, read as {@code r.a}. */
    record Record(List<String> names, List<Expr> values, Span span) implements Expr {
        /** Copies the lists. */
        public Record { names = List.copyOf(names); values = List.copyOf(values); }
    }

    /** {@code sizeof(type)}. */
    record SizeofType(TypeName type, Span span) implements Expr {}

    /** v0.26's {@code offsetof(TYPE, field.field...)}: the byte offset of a (nested) field in a struct. */
    record Offsetof(TypeName type, List<String> fields, Span span) implements Expr {
        /** Copies the fields. */
        public Offsetof { fields = List.copyOf(fields); }
    }

    /** {@code sizeof(expr)}. */
    record SizeofExpr(Expr operand, Span span) implements Expr {}
}
