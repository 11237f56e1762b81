package org.bpf4j.lang.syntax;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The parser: precedence, statements, attach points, the preamble, and where its errors point. */
class ParserTest {
    /** An S-expression of an expression tree, to compare shapes. */
    static String show(Expr e) {
        return switch (e) {
            case Expr.Int i -> Long.toString(i.value());
            case Expr.Str s -> '"' + s.value() + '"';
            case Expr.Builtin b -> b.name();
            case Expr.Positional p -> "$" + p.index();
            case Expr.ParamCount p -> "$#";
            case Expr.Var v -> v.name();
            case Expr.MapRef m -> m.name() + (m.keys().isEmpty() ? "" : m.keys().stream().map(ParserTest::show).collect(Collectors.joining(",", "[", "]")));
            case Expr.Call c -> c.name() + c.args().stream().map(ParserTest::show).collect(Collectors.joining(" ", "(", ")"));
            case Expr.Binary b -> "(" + b.op().text() + " " + show(b.left()) + " " + show(b.right()) + ")";
            case Expr.Unary u -> "(" + u.op().text() + " " + show(u.operand()) + ")";
            case Expr.IncDec i -> "(" + (i.prefix() ? "pre" : "post") + (i.increment() ? "++ " : "-- ") + show(i.target()) + ")";
            case Expr.Ternary t -> "(? " + show(t.cond()) + " " + show(t.then()) + " " + show(t.otherwise()) + ")";
            case Expr.Field f -> "(" + (f.arrow() ? "->" : ".") + " " + show(f.target()) + " " + f.field() + ")";
            case Expr.TupleIndex t -> "(. " + show(t.target()) + " " + t.index() + ")";
            case Expr.Index i -> "([] " + show(i.target()) + " " + show(i.index()) + ")";
            case Expr.Cast c -> "(cast " + c.type().base() + "*".repeat(c.type().pointers()) + " " + show(c.operand()) + ")";
            case Expr.Tuple t -> t.elements().stream().map(ParserTest::show).collect(Collectors.joining(" ", "(tuple ", ")"));
            case Expr.SizeofType s -> "(sizeof " + s.type().base() + ")";
            case Expr.Offsetof o -> "(offsetof " + o.type().base() + " " + String.join(".", o.fields()) + ")";
            case Expr.Record r -> r.values().stream().map(ParserTest::show).collect(Collectors.joining(" ", "(record " + r.names() + " ", ")"));
            case Expr.SizeofExpr s -> "(sizeof " + show(s.operand()) + ")";
        };
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "1 + 2 * 3 => (+ 1 (* 2 3))",
            "1 + 2 / 2 * 3 => (+ 1 (* (/ 2 2) 3))",
            "a || b && c | d ^ e & f => (|| a (&& b (| c (^ d (& e f)))))",
            "x == 1 < 2 => (== x (< 1 2))",
            "1 << 2 + 3 => (<< 1 (+ 2 3))",
            "-5 - -x => (- -5 (- x))",
            "!a ? b : c ? d : e => (? (! a) b (? c d e))",
            "args->filename => (-> args filename)",
            "@t.0 + $x.1 => (+ (. @t 0) (. $x 1))",
            "@m[pid, comm] => @m[pid,comm]",
            "(int8)-100 => (cast int8 -100)",
            "(struct Foo *)arg0 => (cast struct Foo* arg0)",
            "*(uint16*)(reg(\"sp\")+8) => (* (cast uint16* (+ reg(\"sp\") 8)))",
            "$a->b[1][0] => ([] ([] (-> $a b) 1) 0)",
            "(1, \"a\", (2, 3)) => (tuple 1 \"a\" (tuple 2 3))",
            "sizeof(struct Foo) => (sizeof struct Foo)",
            "sizeof($x) => (sizeof $x)",
            "@x++ + --$y => (+ (post++ @x) (pre-- $y))",
            "1e6 + 0x10 + 010 + 1_000 => (+ (+ (+ 1000000 16) 8) 1000)",
            "'a' => 97",
            "$1 + $# => (+ $1 $#)",
    })
    void expressionsParseWithCPrecedence(String text, String tree) {
        assertEquals(tree, show(Parser.parseExpression(new Source("t", text))));
    }

    @Test
    void enumDefinitionsCountOnFromThePreviousValueAndCastsNameThem() {
        Script s = Parser.parse(new Source("stdin", """
                enum Foo { A, B = 5, C, D = -2, E, };
                enum { X = 0x10 }
                BEGIN { $x = (enum Foo)1 }
                """));
        assertEquals(2, s.enums().size());
        CEnum foo = s.enums().getFirst();
        assertEquals("enum Foo", foo.fullName());
        assertEquals(List.of("A=0", "B=5", "C=6", "D=-2", "E=-1"),
                foo.enumerators().stream().map(e -> e.name() + "=" + e.value()).toList());
        assertEquals("enum", s.enums().get(1).fullName());
        assertEquals(16, s.enums().get(1).enumerators().getFirst().value());
        Stmt.Assign a = (Stmt.Assign) s.probes().getFirst().body().getFirst();
        assertEquals("(cast enum Foo 1)", show(a.value()));
        SyntaxError e = assertThrows(SyntaxError.class, () -> Parser.parse(new Source("stdin", "enum Foo { A = x } BEGIN { }")));
        assertTrue(e.getMessage().contains("stdin:1:16"), e.getMessage());
    }

    @Test
    void probesStatementsAndPreamble() {
        Script s = Parser.parse(new Source("stdin", """
                #!/usr/bin/env bpftrace
                #include <linux/sched.h>
                #define LIMIT 10
                struct Foo { int a; char b[10]; unsigned int c:4, d:4; } // a comment
                /* a block
                   comment */
                BEGIN, tracepoint:syscalls:sys_enter_open*,
                uprobe:/bin/bash:readline
                /pid > LIMIT && comm != "x"/
                {
                    if ($a) { @x = 1 } else if ($b) { @x = 2; } else { @x = 3 }
                    unroll (2) { $i++; }
                    while ($i < 5) { $i += 1; if ($i == 3) { break } continue; }
                    printf("%d\\n", $i); return;
                }
                END { exit() }
                """));
        assertEquals(List.of("linux/sched.h"), s.includes());
        assertEquals(1, s.structs().size());
        assertEquals(4, s.structs().getFirst().fields().size());
        assertEquals(4, s.structs().getFirst().fields().get(3).bits());
        assertEquals(2, s.probes().size());
        Probe p = s.probes().getFirst();
        assertEquals(List.of("BEGIN", "tracepoint:syscalls:sys_enter_open*", "uprobe:/bin/bash:readline"),
                p.points().stream().map(Probe.AttachPoint::text).toList());
        assertEquals("(&& (> pid 10) (!= comm \"x\"))", show(p.predicate()));
        assertEquals(List.of(Stmt.If.class, Stmt.Unroll.class, Stmt.While.class, Stmt.ExprStmt.class, Stmt.Return.class),
                p.body().stream().map(Object::getClass).toList());
        assertEquals(9, p.predicate().span().line());
    }

    @Test
    void predicateEndsAtSlashBeforeBrace() {
        Script s = Parser.parse(new Source("stdin", "t:a:b /@x[tid] / 2 > 1/ { @y = 1 }"));
        assertEquals("(> (/ @x[tid] 2) 1)", show(s.probes().getFirst().predicate()));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "BEGIN { printf(\"x\") ",
            "BEGIN { @x = }",
            "BEGIN { 1 + }",
            "BEGIN { $x = \"abc }",
            "BEGIN { @x = 1 @y = 2 }",
            "BEGIN { @x = 0x }",
            "BEGIN { # }",
    })
    void badScriptsSayWhereWithACaret(String text) {
        SyntaxError e = assertThrows(SyntaxError.class, () -> Parser.parse(new Source("stdin", text)));
        String[] lines = e.render().split("\n");
        assertEquals(3, lines.length, e.render());
        assertTrue(lines[0].matches("stdin:1:\\d+: ERROR: .+"), lines[0]);
        assertEquals(text, lines[1]);
        int col = Integer.parseInt(lines[0].split(":")[2]);
        assertEquals(col - 1, lines[2].indexOf('^'), e.render());
    }

    @Test
    void errorMessagesNameTheProblem() {
        assertEquals("""
                stdin:1:16: ERROR: expected ';' or '}', got '@y'
                BEGIN { @x = 1 @y = 2 }
                               ^~""", assertThrows(SyntaxError.class, () -> Parser.parse(new Source("stdin", "BEGIN { @x = 1 @y = 2 }"))).render());
        assertEquals("""
                f.bt:2:16: ERROR: unterminated string
                  BEGIN { $x = "abc }
                               ^""", assertThrows(SyntaxError.class, () -> Parser.parse(new Source("f.bt", "\n  BEGIN { $x = \"abc }"))).render());
    }

    /** A tuple index past int's range (fuzzing found 4294967295 wrapping to -1) is refused where it is written. */
    @Test
    void tupleIndexOutOfRange() {
        assertEquals("""
                stdin:1:31: ERROR: tuple index 4294967295 out of range
                BEGIN { $v = (1, 2); print($v.4294967295); }
                                              ^~~~~~~~~~""",
                assertThrows(SyntaxError.class, () -> Parser.parse(new Source("stdin", "BEGIN { $v = (1, 2); print($v.4294967295); }"))).render().strip());
    }
}
