package org.bpf4j.lang.syntax;

import org.bpf4j.UserException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bpftrace v0.26's syntax as {@link Parser} lowers it to the v0.17 tree ({@link V026}, {@link Macros}, {@link ProgramOptions}). */
class V026Test {
    private static Script parse(String text) { return Parser.parse(new Source("stdin", text)); }

    private static List<Stmt> body(String text) { return parse(text).probes().getFirst().body(); }

    @Test
    void ifAndWhileTakeAConditionWithoutParentheses() {
        Stmt.If i = (Stmt.If) body("begin { if $x > 1 { exit(); } }").getFirst();
        assertInstanceOf(Expr.Binary.class, i.cond());
        assertInstanceOf(Stmt.While.class, body("begin { while $i < 3 { $i++; } }").getFirst());
    }

    @Test
    void numbersTakeTimeUnitsAsNanoseconds() {
        Stmt.Assign a = (Stmt.Assign) body("begin { @x = 100ms + 1s + 2us + 3ns + 1m + 1h + 1d }").getFirst();
        long sum = 0;
        java.util.Deque<Expr> todo = new java.util.ArrayDeque<>(List.of(a.value()));
        while (!todo.isEmpty()) {
            Expr e = todo.pop();
            if (e instanceof Expr.Binary b) { todo.push(b.left()); todo.push(b.right()); }
            else sum += ((Expr.Int) e).value();
        }
        assertEquals(100_000_000L + 1_000_000_000L + 2_000 + 3 + 60_000_000_000L + 3_600_000_000_000L + 86_400_000_000_000L, sum);
        SyntaxError e = assertThrows(SyntaxError.class, () -> parse("begin { @x = 5ks }"));
        assertEquals("unexpected 'k' after a number", e.detail());
        e = assertThrows(SyntaxError.class, () -> parse("begin { @x = 300000d }"));
        assertEquals("number 300000d does not fit in 64 bits", e.detail());
    }

    @Test
    void configBlockNamesAreNormalisedAndUnknownOnesRefused() {
        Script s = parse("config = { BPFTRACE_MAX_STRLEN = 100; stack_mode = raw; license = \"GPL\"; } begin { }");
        assertEquals(Map.of("max_strlen", "100", "stack_mode", "raw", "license", "GPL"), s.config());
        SyntaxError e = assertThrows(SyntaxError.class, () -> parse("config = { nope = 1 } begin { }"));
        assertEquals("nope: not a known configuration option", e.detail());
        assertThrows(SyntaxError.class, () -> parse("begin { } config = { max_strlen = 1 }"));
    }

    @Test
    void environmentVariablesAreConfigSettingsAndWinOverTheBlock() {
        Script s = ConfigEnvironment.apply(parse("config = { max_strlen = 100; stack_mode = perf } begin { }"),
                Map.of("BPFTRACE_MAX_STRLEN", "9999", "BPFTRACE_MAX_MAP_KEYS", "7", "BPFTRACE_NOT_A_SETTING", "1", "HOME", "/root"));
        assertEquals(Map.of("max_strlen", "9999", "stack_mode", "perf", "max_map_keys", "7"), s.config());
        Script plain = parse("begin { }");
        assertSame(plain, ConfigEnvironment.apply(plain, Map.of("PATH", "/bin")), "no setting in the environment: the script as it was");
    }

    @Test
    void letWithATypeCastsAndMapDeclarationsAreAccepted() {
        List<Stmt> b = body("let @m = lruhash(10); begin { let $x: uint8 = 300; let $y; }");
        Stmt.Assign a = (Stmt.Assign) b.getFirst();
        assertEquals("$x", ((Expr.Var) a.target()).name());
        assertEquals("uint8", ((Expr.Cast) a.value()).type().base());
        assertEquals("$y", ((Stmt.Let) b.get(1)).var().name());
        // a declared struct or array without a value is typed by its first assignment; a pointer starts as a null one
        List<Stmt> d = body("struct W { int a; } begin { let $w: struct W[10]; let $s: struct W; let $p: struct W *; }");
        assertInstanceOf(Stmt.Let.class, d.get(0));
        assertInstanceOf(Stmt.Let.class, d.get(1));
        assertInstanceOf(Expr.Cast.class, ((Stmt.Assign) d.get(2)).value());
    }

    @Test
    void mapDeclarationsKeepTheirKindAndSize() {
        Script s = parse("let @m = lruhash(10); let @p = percpuhash(1); begin { @m[1] = 1; @p[1] = count(); }");
        assertEquals(new MapDeclaration("@m", MapDeclaration.Kind.LRUHASH, 10, s.declared().get("@m").span()), s.declared().get("@m"));
        assertEquals(MapDeclaration.Kind.PERCPUHASH, s.declared().get("@p").kind());
        assertEquals(1, s.declared().get("@p").entries());
        SyntaxError zero = assertThrows(SyntaxError.class, () -> parse("let @m = hash(0); begin { @m[1] = 1; }"));
        assertTrue(zero.getMessage().contains("hash() takes the most entries of @m, a positive integer"), zero.getMessage());
        assertThrows(SyntaxError.class, () -> parse("let @m = hash(2); let @m = hash(3); begin { @m[1] = 1; }"));
    }

    @Test
    void aBlockExpressionsStatementsRunBeforeItsStatementAndAnIfExpressionIsATernary() {
        List<Stmt> b = body("begin { $x = { $y = { $z = 10; $z + 5 }; $y * 2 }; print(if $x { 1 } else if $y { 2 } else { 3 }); }");
        Stmt.Block outer = (Stmt.Block) b.getFirst();
        assertEquals(List.of("$z", "$y", "$x"), outer.body().stream().flatMap(s -> s instanceof Stmt.Block in ? in.body().stream() : java.util.stream.Stream.of(s))
                .map(s -> ((Expr.Var) ((Stmt.Assign) s).target()).name()).toList());
        Expr.Ternary t = (Expr.Ternary) ((Expr.Call) ((Stmt.ExprStmt) b.get(1)).expr()).args().getFirst();
        assertInstanceOf(Expr.Ternary.class, t.otherwise());
        SyntaxError e = assertThrows(SyntaxError.class, () -> body("begin { $x = { $y = 1; }; }"));
        assertTrue(e.getMessage().contains("must end in an expression"), e.getMessage());
    }

    @Test
    void recordsAndOffsetofParse() {
        Stmt.Assign a = (Stmt.Assign) body("begin { $t = (a=0, b=\"s\"); }").getFirst();
        assertEquals(List.of("a", "b"), ((Expr.Record) a.value()).names());
        Expr.Offsetof o = (Expr.Offsetof) ((Stmt.Assign) body("begin { $o = offsetof(struct Foo, bar.x); }").getFirst()).value();
        assertEquals("struct Foo", o.type().base());
        assertEquals(List.of("bar", "x"), o.fields());
        assertThrows(SyntaxError.class, () -> body("begin { $t = (a=0, a=1); }"));
    }

    @Test
    void twoArgumentDeleteAndHasKeyNameTheElement() {
        Stmt.ExprStmt d = (Stmt.ExprStmt) body("begin { delete(@m, (1, \"a\")); }").getFirst();
        Expr.MapRef m = (Expr.MapRef) ((Expr.Call) d.expr()).args().getFirst();
        assertEquals(2, m.keys().size());
        Stmt.If i = (Stmt.If) body("begin { if has_key(@m, 1) { } }").getFirst();
        assertEquals(LoweredCalls.CONTAINS, ((Expr.Call) i.cond()).name());
        Stmt.Assign t = (Stmt.Assign) body("begin { @m[(1, 2)] = 3; }").getFirst();
        assertEquals(2, ((Expr.MapRef) t.target()).keys().size());
    }

    @Test
    void aRangeLoopCountsWithACounterTheBodyCannotSkip() {
        Stmt.Block b = (Stmt.Block) body("begin { for ($i : 0..5) { continue; } }").getFirst();
        Stmt.While w = (Stmt.While) b.body().get(2);
        assertEquals("$i", ((Expr.Var) ((Stmt.Assign) w.body().getFirst()).target()).name());
        assertInstanceOf(Stmt.Continue.class, w.body().get(2)); // after the counter's step
    }

    @Test
    void aLoopOverAMapGivesItsVariableANameOfItsOwnInTheBody() {
        Stmt.ForMap f = (Stmt.ForMap) body("begin { $kv = 1; for ($kv : @m) { print($kv.0); } print($kv); }").get(1);
        assertEquals("@m", f.map().name());
        assertNotEquals("$kv", f.var().name());
        Expr.Call print = (Expr.Call) ((Stmt.ExprStmt) f.body().getFirst()).expr();
        assertEquals(f.var().name(), ((Expr.Var) ((Expr.TupleIndex) print.args().getFirst()).target()).name());
        Stmt.ExprStmt after = (Stmt.ExprStmt) body("begin { for ($kv : @m) { } print($kv); }").get(1);
        assertEquals("$kv", ((Expr.Var) ((Expr.Call) after.expr()).args().getFirst()).name(), "outside the loop it is another variable");
    }

    @Test
    void errorfInAMacroKnowsTheCallsItWasExpandedFrom() {
        // call:errorf_macro_expansion: the message at errorf's call, then "expanded from" at bad()'s whole call
        String text = "macro bad() { errorf(\"Something bad\"); } macro worse() { bad(); } begin { bad(); worse(); }";
        List<Stmt> b = body(text);
        Expr.Call direct = (Expr.Call) ((Stmt.ExprStmt) ((Stmt.Block) b.getFirst()).body().getFirst()).expr();
        assertEquals(new Span(1, 15, 23, new Span(1, 75, 5)), direct.span());
        Stmt.Block outer = (Stmt.Block) b.get(1), inner = (Stmt.Block) outer.body().getFirst();
        Expr.Call nested = (Expr.Call) ((Stmt.ExprStmt) inner.body().getFirst()).expr();
        assertEquals(new Span(1, 15, 23, new Span(1, 58, 5, new Span(1, 82, 7))), nested.span()); // innermost call first
        var diagnostics = org.bpf4j.lang.LangTesting.compile(text).actions().stream()
                .filter(a -> a instanceof org.bpf4j.lang.codegen.Action.Diagnostic).map(a -> (org.bpf4j.lang.codegen.Action.Diagnostic) a).toList();
        assertEquals("stdin:1:15-38", diagnostics.getFirst().where());
        assertEquals("", diagnostics.getFirst().line(), "v0.26 shows no line under errorf's own message");
        assertEquals(List.of(new org.bpf4j.lang.codegen.Action.Diagnostic.Context("stdin:1:75-80", text, " ".repeat(74) + "~~~~~")),
                diagnostics.getFirst().expandedFrom());
        assertEquals(2, diagnostics.get(1).expandedFrom().size());
    }

    @Test
    void macrosAreExpandedHygienically() {
        List<Stmt> b = body("macro inc($x) { $t = 1; $x + $t } macro twice(e) { e * 2 } macro put(@m) { @m[1] = 2; }"
                + " begin { $t = 5; $r = inc($t); $s = twice($t + 1); put(@q); }");
        // $r = inc($t): the macro's own $t is renamed; its statement runs before the assignment
        Stmt.Assign hoisted = (Stmt.Assign) b.get(1);
        assertNotEquals("$t", ((Expr.Var) hoisted.target()).name());
        Stmt.Assign r = (Stmt.Assign) b.get(2);
        Expr.Binary sum = (Expr.Binary) r.value();
        assertEquals("$t", ((Expr.Var) sum.left()).name());
        Stmt.Assign s = (Stmt.Assign) b.get(3);
        assertInstanceOf(Expr.Binary.class, ((Expr.Binary) s.value()).left()); // ($t + 1) * 2
        Stmt.Block put = (Stmt.Block) b.get(4);
        assertEquals("@q", ((Expr.MapRef) ((Stmt.Assign) put.body().getFirst()).target()).name());
    }

    @Test
    void getoptTakesNamedOptionsAndRefusesUnknownOnes() {
        Script s = ProgramOptions.apply(parse("begin { $a = getopt(\"aa\", 5); $b = getopt(\"bb\"); $c = getopt(\"cc\", \"x\"); }"),
                List.of("7", "--aa=20", "--bb"));
        List<Stmt> b = s.probes().getFirst().body();
        assertEquals(20, ((Expr.Int) ((Stmt.Assign) b.get(0)).value()).value());
        Expr.Cast flag = (Expr.Cast) ((Stmt.Assign) b.get(1)).value(); // no default: a bool (printed true/false)
        assertEquals("bool", flag.type().base());
        assertEquals(1, ((Expr.Int) flag.operand()).value());
        assertEquals("x", ((Expr.Str) ((Stmt.Assign) b.get(2)).value()).value());
        assertEquals(List.of("7"), ProgramOptions.positional(List.of("7", "--aa=20", "--bb")));
        UserException e = assertThrows(UserException.class, () -> ProgramOptions.apply(parse("begin { $a = getopt(\"aa\", 5); }"), List.of("--zz")));
        assertEquals("unexpected program command line options: --zz\nHINT: expected program options: --aa", e.getMessage());
    }

    /** syscount.bt's {@code getopt("sysname", false, ...)}: a bool default, set by {@code --sysname}. */
    @Test
    void getoptTakesABoolDefault() {
        String text = "begin { $a = getopt(\"sysname\", false, \"names\"); $b = getopt(\"other\", true); }";
        List<Stmt> given = ProgramOptions.apply(parse(text), List.of("--sysname")).probes().getFirst().body();
        List<Stmt> absent = ProgramOptions.apply(parse(text), List.of()).probes().getFirst().body();
        java.util.function.Function<Stmt, Long> value = st -> ((Expr.Int) ((Expr.Cast) ((Stmt.Assign) st).value()).operand()).value();
        assertEquals(1L, value.apply(given.get(0)));
        assertEquals(0L, value.apply(absent.get(0)));
        assertEquals(1L, value.apply(absent.get(1)));
        UserException e = assertThrows(UserException.class, () -> ProgramOptions.apply(parse(text), List.of("--sysname=maybe")));
        assertTrue(e.getMessage().contains("invalid boolean (value: maybe)"), e.getMessage());
    }
}
