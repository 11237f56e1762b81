package org.bpf4j.lang.sema;

import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.syntax.Expr;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.lang.syntax.Stmt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Type checking and resolution, all before any kernel call. */
class CheckerTest {
    private static Type firstValue(String script) {
        Analysis a = LangTesting.analyze(script);
        Unit u = a.units().getFirst();
        Stmt s = u.probe().body().getFirst();
        Expr e = s instanceof Stmt.Assign as ? as.value() : ((Stmt.ExprStmt) s).expr();
        return u.type(e);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "BEGIN { $x = 1 } => int8", // v0.26: a literal takes the smallest signed type that holds it
            "BEGIN { $x = 1000 } => int16",
            "BEGIN { $x = (int8[8])12345 } => int8[8]", // array:cast literal to int array: the literal takes the array's size
            "BEGIN { $x = -100000 } => int32",
            "BEGIN { $x = pid } => uint64",
            "BEGIN { $x = comm } => string[16]",
            "BEGIN { $x = \"abc\" } => string[4]",
            "BEGIN { $x = (int8)1 } => int8",
            "BEGIN { $x = (uint32)-1 + 1 } => int64",
            "BEGIN { $x = pid + 1 } => uint64",
            "BEGIN { $x = 1 == 2 } => bool",
            "BEGIN { $x = (bool)\"a\" } => bool",
            "BEGIN { $x = (a=1, b=\"s\") } => record (int8,string[2])",
            "struct Foo { int x; struct Bar { int y; } bar; } BEGIN { $x = offsetof(struct Foo, bar.y) } => uint64",
            "BEGIN { $x = 10223372036854775807 } => uint64",
            "BEGIN { $x = (1, \"a\", (int8)2) } => (int8,string[2],int8)",
            "BEGIN { $x = str(0) } => string[64]",
            "BEGIN { $x = buf(\"hi\", 2) } => buffer[2]",
            "BEGIN { $x = ksym(0) } => ksym",
            "BEGIN { $x = strftime(\"%H\", nsecs) } => timestamp",
            "tracepoint:syscalls:sys_enter_kill { $x = args->sig } => uint64",
            "tracepoint:syscalls:sys_exit_kill { $x = args->ret } => int64",
            "tracepoint:syscalls:sys_enter_openat { $x = args->filename } => int8 *",
            "tracepoint:sched:sched_switch { $x = args->prev_comm } => string[16]",
            "struct Foo { int a; char c; } BEGIN { $x = ((struct Foo *)0)->c } => int8",
            "BEGIN { $x = signal_name(2) } => signal_name",
            "BEGIN { $x = syscall_name(0) } => syscall_name",
            "BEGIN { $x = nsecs(boot) } => uint64",
    })
    void expressionTypes(String script, String type) {
        assertEquals(type, firstValue(script).describe());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "BEGIN { $x = 1 } => int8",
            "BEGIN { $x = 1; $x = 300 } => int16",
            "BEGIN { $x = 0; $x = (uint32)pid } => uint32", // a literal's sign adapts to the other side
            "BEGIN { $x = (int16)1; $x = (uint16)2 } => int32", // mixed signs: the signed type holding both
            "BEGIN { $x = (int64)1; $x = (uint64)2 } => int64",
            "BEGIN { $x = 0; $x++ } => int64", // ++ computes in 64 bits: a counter from 0 does not wrap at 127
            "BEGIN { $x = 0; $x += 1 } => int64",
            "BEGIN { $x = 0; $x = $x + 1 } => int64",
    })
    void variablesTakeThePromotedTypeOfTheirAssignments(String script, String type) {
        assertEquals(type, LangTesting.analyze(script).units().getFirst().vars().get("$x").describe());
    }

    @Test
    void literalsShapeSizeofAndTuplesAndMapKeyErrorsAsInV026() {
        // v0.26's builtin:sizeof and tuples:complex tuple 4: a literal's own size, in a variable and in a tuple
        Analysis a = LangTesting.analyze("BEGIN { $x = 1; $a = ((int8)-100, (int8)100, \"abcdef\", 3, (int32)1, (int64)-10, (int8)10, (int16)-555, \"abc\") }");
        assertEquals(1, a.units().getFirst().vars().get("$x").size());
        assertEquals(32, a.units().getFirst().vars().get("$a").size());
        // integer keys are stored in 64 bits, but a mismatch names the keys as written (basic:has_key error type mismatch)
        SourceError e = assertThrows(SourceError.class, () -> LangTesting.analyze(
                "BEGIN { @g[1, \"hi\"] = 2; if (has_key(@g, (1, 2))) { printf(\"ok\\n\"); } }"));
        assertEquals("Argument mismatch for @g: trying to access with arguments: '(int8,int8)' when map expects arguments: '(int8,string[3])'", e.detail());
        assertEquals("(int64,string[3])", LangTesting.analyze("BEGIN { @g[1, \"hi\"] = 2; @g[300, \"a\"] = 3 }").maps().get("@g").key().describe());
        SourceError scalar = assertThrows(SourceError.class, () -> LangTesting.analyze("BEGIN { @g = 2; if (has_key(@g, 2)) { } }"));
        assertEquals("call to has_key() expects a map with explicit keys (non-scalar map)", scalar.detail());
    }

    @Test
    void theProbeBuiltinIsItsNameWhereAStringIsWanted() {
        // probe:probe_builtin_string_compare: v0.26's probe is the probe's name, a string, in strcontains() and ==
        Analysis a = LangTesting.analyze("tracepoint:syscalls:sys_e*_kill { if (strcontains(probe, \"enter\")) { } $b = probe == \"x\"; @[probe] = count(); }");
        for (Unit u : a.units()) {
            Stmt.If i = (Stmt.If) u.probe().body().getFirst();
            Expr arg = ((Expr.Call) i.cond()).args().getFirst();
            assertEquals("string[" + (u.probeName().length() + 1) + "]", u.type(arg).describe());
        }
        assertEquals("probe", a.maps().get("@").key().describe(), "elsewhere it stays the probe's number, printed as its name");
    }

    @Test
    void mapTypesComeFromEveryUseAndStringsGrow() {
        Analysis a = LangTesting.analyze("""
                BEGIN { @s["hello"] = "a"; @n = 1; @c[comm, 1] = count(); @h = hist(5); @l[1] = lhist(3, 0, 10, 2) }
                END { @s["hi"] = "abcdefgh"; @n = (int8)2; @t = ("x", 1) }
                tracepoint:syscalls:sys_enter_kill { @t = ("longer", 2); @u = @n + 1 }
                """);
        assertEquals("string[6]", a.maps().get("@s").key().describe());
        assertEquals("string[9]", a.maps().get("@s").value().describe());
        assertEquals("int64", a.maps().get("@n").value().describe());
        assertEquals("(string[16],int64)", a.maps().get("@c").key().describe()); // integer keys are kept in 64 bits
        assertEquals("count", a.maps().get("@c").value().describe());
        assertNull(a.maps().get("@h").key());
        assertEquals(new Type.Agg(Type.AggKind.LHIST, true, 0, 10, 2), a.maps().get("@l").value());
        assertEquals("(string[7],int8)", a.maps().get("@t").value().describe()); // a tuple keeps its literals' types
        assertEquals(List.of("@c", "@h", "@l", "@n", "@s", "@t", "@u"), List.copyOf(a.maps().keySet()));
        assertEquals(List.of("begin", "end", "tracepoint:syscalls:sys_enter_kill"), a.probeNames()); // v0.26: lower case
    }

    @Test
    void theAnalysisIsReadOnly() {
        Analysis a = LangTesting.analyze("BEGIN { @n = 1; $x = 2; printf(\"%d\\n\", $x) }");
        Unit u = a.units().getFirst();
        Expr any = u.types().keySet().iterator().next();
        assertThrows(UnsupportedOperationException.class, () -> u.types().put(any, Type.INT64));
        assertThrows(UnsupportedOperationException.class, () -> u.vars().clear());
        assertThrows(UnsupportedOperationException.class, () -> a.units().add(u));
        assertThrows(UnsupportedOperationException.class, () -> a.maps().remove("@n"));
        assertThrows(UnsupportedOperationException.class, () -> a.warnings().clear());
        assertEquals("int8", u.vars().get("$x").describe()); // v0.26: 2 is an int8
    }

    @Test
    void wildcardsExpandToOneUnitEachAndParametersSubstitute() {
        Analysis a = LangTesting.analyze("tracepoint:syscalls:sys_e*_kill, i:ms:$1 { @[probe] = count() }", "10");
        assertEquals(List.of("tracepoint:syscalls:sys_enter_kill", "tracepoint:syscalls:sys_exit_kill", "interval:ms:10"),
                a.probeNames());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '~', value = {
            "BEGIN { foo() } => 1:9 => Unknown function: foo",
            "BEGIN { @ = uaddr(\"x\") } => 1:13 => uaddr can not be used with \"BEGIN\" probes",
            "BEGIN { @ = kstack(2000) } => 1:13 => kstack([int limit]): limit shouldn't exceed 1024, 2000 given",
            "BEGIN { @ = kstack(perf, bpftrace) } => 1:13 => kstack() expects a integer literal (stack mode provided)",
            "BEGIN { @ = ustack(3, perf) } => 1:13 => ustack() expects a stack mode literal (integer provided)",
            "BEGIN { $x = $y } => 1:14 => Undefined or undeclared variable: $y",
            "BEGIN { @x = 1; @x = \"a\" } => 1:17 => Type mismatch for @x: trying to assign value of type 'string[2]' when map already contains a value of type 'int64'",
            "BEGIN { @x[1] = 1; @x[1, 2] = 1 } => 1:20 => map @x is used with 2 keys here and with 1 elsewhere",
            "BEGIN { unroll (101) { } } => 1:17 => unroll maximum value is 100",
            "BEGIN { $x = count() } => 1:14 => count() should be directly assigned to a map",
            // v0.26: a tuple is a map key (@x[(1, 2)] is @x[1, 2]); a config block names known settings only
            "config = { bad_config = 1 } BEGIN { } => 1:12 => bad_config: not a known configuration option",
            "BEGIN { printf(\"%d %d\", 1) } => 1:9 => printf: Not enough arguments for format string (1 supplied, 2 expected)",
            "BEGIN { printf(\"%d\", \"a\") } => 1:22 => printf(): %d expects an integer, not string[2]",
            "BEGIN { system(\"ls\") } => 1:9 => system() is an unsafe function being used in safe mode (run with --unsafe)",
            "BEGIN { write_user(0, \"x\", 1) } => 1:9 => write_user() is unsafe. To use you need the --unsafe flag",
            "BEGIN { @ = nsecs(wall) } => 1:19 => nsecs() takes a clock: monotonic, boot, tai or sw_tai",
            "BEGIN { @ = signal_name(\"x\") } => 1:25 => signal_name()'s signal must be an integer, not string[2]",
            "BEGIN { @x = @y } => 1:14 => undefined map: @y",
            "BEGIN { break } => 1:9 => break used outside of a loop",
            "BEGIN { $x = args->pid } => 1:14 => The args builtin can only be used with tracepoint/kfunc/uprobe probes (BEGIN used here)",
            "tracepoint:syscalls:sys_enter_kill { $x = args->nope } => 1:43 => Struct/union of type 'struct _tracepoint_syscalls_sys_enter_kill' does not contain a field named 'nope'",
            "tracepoint:syscalls:nonsense { } => 1:1 => No matches for tracepoint syscalls:nonsense.",
            "bogus:x { } => 1:1 => invalid probe type 'bogus'",
            "tracepoint:nosuchcategory:* { } => 1:1 => Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.",
            "tracepoint:syscalls { } => 1:1 => tracepoint probe type requires 2 arguments",
            "uprobe:/nonexistent:f { } => 1:1 => uprobe target file '/nonexistent' does not exist or is not executable",
            "usdt:/nonexistent:a:b { } => 1:1 => usdt target file '/nonexistent' does not exist or is not executable",
            "uprobe:/bin/sh { } => 1:1 => uprobe probe type requires 2 arguments",
            "BEGIN { $x = \"a\" + 1 } => 1:18 => cannot use + on string[2] and int8",
            "struct A { int x[4]; } BEGIN { $a = ((struct A *)0)->x[5] } => 1:56 => the index 5 is out of bounds for array of size 4",
            "BEGIN { @x = lhist(1, 10, 5, 1) } => 1:27 => lhist() maximum must be greater than the minimum",
            // v0.26's len() and for loops over maps
            "BEGIN { @ = 0; $n = len(@) } => 1:21 => call to len() expects a map with explicit keys (non-scalar map)",
            "BEGIN { for ($kv : @m) { } } => 1:20 => undefined map: @m",
            "BEGIN { @ = 1; for ($kv : @) { } } => 1:27 => a for loop iterates over a map with keys, not the scalar map @",
            "BEGIN { @k[1] = hist(2); for ($kv : @k) { } } => 1:37 => a for loop over a hist() map is not supported by bpf4j",
            "BEGIN { @x = hist(1, 6) } => 1:22 => hist: bits 6 must be 0..5",
            "BEGIN { @x = tseries(1, 0, 5) } => 1:25 => tseries() interval_ns must be >= 1 (0 provided)",
            "BEGIN { @x = tseries(1, 1s, 0) } => 1:29 => tseries() num_intervals must be >= 1 (0 provided)",
            "BEGIN { @x = tseries(1, 1s, 1000001) } => 1:29 => tseries() num_intervals must be < 1000000 (1000001 provided)",
            "BEGIN { @x = tseries(1, 1s, 5, \"median\") } => 1:32 => tseries() expects one of the following aggregation functions: avg, max, min, sum (\"median\" provided)",
            "BEGIN { @x = tseries(\"a\", 1s, 5) } => 1:22 => tseries()'s value must be an integer, not string[2]",
            "BEGIN { @x = tseries(1, 1s, 5); @y = @x } => 1:38 => the value of a tseries() map cannot be read in a probe",
            "BEGIN { @x = tseries(1, 1s, 5); @x = tseries(1, 2s, 5) } => 1:38 => Type mismatch for @x: trying to assign value of type 'tseries' when map already contains a value of type 'tseries'",
    })
    void errorsArePlacedOnTheScript(String script, String at, String message) {
        SourceError e = assertThrows(SourceError.class, () -> LangTesting.analyze(script));
        assertEquals(message, e.detail(), e.render());
        assertEquals(at, e.span().line() + ":" + e.span().col(), e.render());
        assertTrue(e.render().startsWith("stdin:" + at + ": ERROR: " + message + "\n"), e.render());
    }

    @Test
    void tseriesAndFineHistogramsKeepTheirConstants() {
        Analysis a = LangTesting.analyze("BEGIN { @t[1] = tseries((uint32)2, 100ms, 10, \"max\"); @h = hist(3, 2); @s = tseries(-1, 1s, $1) }", "4");
        assertEquals(new Type.Agg(Type.AggKind.TSERIES, false, 0, 0, 0, new Type.Series(100_000_000, 10, Type.SeriesFn.MAX)), a.maps().get("@t").value());
        assertEquals(new Type.Agg(Type.AggKind.TSERIES, true, 0, 0, 0, new Type.Series(1_000_000_000, 4, Type.SeriesFn.NONE)), a.maps().get("@s").value());
        assertEquals(new Type.Agg(Type.AggKind.HIST, true, 0, 0, 2), a.maps().get("@h").value());
        assertEquals(24, a.maps().get("@t").value().size());
    }

    @Test
    void positionalParametersAreConstants() {
        Analysis a = LangTesting.analyze("BEGIN { unroll ($1) { @x++ } printf(\"%s %d\", str($2), $#) }", "3", "hello");
        assertNotNull(a.units().getFirst());
        // v0.26: a parameter that is no number is a string, as str($1) (v0.17 refused it without str())
        Analysis s = LangTesting.analyze("BEGIN { @x = $1; @y = $2 + 1 }", "abc", "41");
        assertEquals(new Type.Str(4), s.maps().get("@x").value());
        assertEquals(Type.INT64, s.maps().get("@y").value());
    }

    @Test
    void enumValuesCarryTheirNamesUntilArithmetic() {
        Type one = firstValue("enum Foo { ONE = 1, TWO, ALSO_ONE = 1 }; BEGIN { $x = TWO }");
        Type.Int t = assertInstanceOf(Type.Int.class, one);
        assertEquals("enum Foo", t.enumeration().name());
        assertEquals(java.util.Map.of(1L, "ONE", 2L, "TWO"), t.enumeration().names()); // the first name of a value wins
        assertEquals("TWO", t.enumeration().name(2));
        assertNull(t.enumeration().name(3));
        assertEquals("ONE", ((Type.Int) firstValue("enum Foo { ONE = 1 }; BEGIN { $x = (enum Foo)1 }")).enumeration().name(1));
        assertNull(((Type.Int) firstValue("enum Foo { ONE = 1 }; BEGIN { $x = ONE + 1 }")).enumeration());
        assertNull(((Type.Int) firstValue("enum Foo { ONE = 1 }; BEGIN { $x = -ONE }")).enumeration());
        // a map keeps the enum while every use has it; a plain integer anywhere makes it plain
        Analysis a = LangTesting.analyze("enum { ONE = 1, TWO = 2 }; BEGIN { @k[ONE] = 1; @k[TWO] = 2; @v = ONE; @m[ONE + 1] = 1; @m[ONE] = TWO; @t = (ONE, 3) }");
        assertNotNull(((Type.Int) a.maps().get("@k").key()).enumeration());
        assertNotNull(((Type.Int) a.maps().get("@v").value()).enumeration());
        assertNull(((Type.Int) a.maps().get("@m").key()).enumeration());
        assertNotNull(((Type.Int) ((Type.Tuple) a.maps().get("@t").value()).elements().getFirst()).enumeration());
    }

    @Test
    void enumErrorsNameTheEnum() {
        SourceError e = assertThrows(SourceError.class, () -> LangTesting.analyze("BEGIN { $x = (enum NoSuchEnumAnywhere)1 }"));
        assertTrue(e.detail().contains("unknown type 'enum NoSuchEnumAnywhere'"), e.detail());
        e = assertThrows(SourceError.class, () -> LangTesting.analyze("enum A { X } enum B { X } BEGIN { }"));
        assertEquals("enumerator X is defined twice", e.detail());
        e = assertThrows(SourceError.class, () -> LangTesting.analyze("enum A { X } enum A { Y } BEGIN { }"));
        assertEquals("enum A is defined twice", e.detail());
    }

    /**
     * naptime.bt keeps a syscall's user pointer in a map and follows it in another probe: the map's value, and a
     * variable read from it, stay pointers into the process's memory (read with bpf_probe_read_user), also when the
     * probe that reads the map is checked before the one that stores it.
     */
    @Test
    void aUserPointerKeptInAMapStaysAUserPointer() {
        Analysis a = LangTesting.analyze("""
                tracepoint:syscalls:sys_exit_openat { $f = @f[tid]; @n = *$f; }
                tracepoint:syscalls:sys_enter_openat { @f[tid] = args.filename; }
                """);
        assertTrue(a.maps().get("@f").value() instanceof Type.Ptr p && p.user(), a.maps().get("@f").toString());
        assertTrue(a.units().getFirst().vars().get("$f") instanceof Type.Ptr p && p.user(), a.units().getFirst().vars().toString());
        // a kernel pointer (curtask's) kept in a map stays the kernel's
        Analysis k = LangTesting.analyze("BEGIN { @t = curtask->parent; } END { $t = @t; @p = $t->pid; }");
        assertTrue(k.maps().get("@t").value() instanceof Type.Ptr p && !p.user(), k.maps().get("@t").toString());
    }
}
