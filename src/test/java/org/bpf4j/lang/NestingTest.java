package org.bpf4j.lang;

import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.stap.StapParser;
import org.bpf4j.lang.syntax.SyntaxError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Deep nesting (issue 15's fuzzing found 400 nested parentheses, a 2,000-term sum and 2,000 nested ifs ending in a
 * StackOverflowError): past the parser's limit a script is a syntax error at the place it gets too deep, and the
 * deepest script the parser accepts goes through the checker and the code generator on a 1 MiB thread stack (the
 * JVM's default for the main thread), or is refused for a BPF limit.
 */
class NestingTest {
    record Shape(String name, boolean stap, IntFunction<String> script) {
        @Override public String toString() { return (stap ? "stap " : "bpftrace ") + name; }
    }

    static String rep(String s, int n) { return s.repeat(n); }

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape("parentheses", false, n -> "BEGIN { print(" + rep("(", n) + "1" + rep(")", n) + "); }"),
                new Shape("sum", false, n -> "BEGIN { print(1" + rep(" + 1", n) + "); }"),
                new Shape("ifs", false, n -> "BEGIN { " + rep("if (1) { ", n) + "print(1);" + rep(" }", n) + " }"),
                new Shape("else-ifs", false, n -> "BEGIN { $a = 1; if ($a == 0) { print(0); }" + rep(" else if ($a == 2) { print(2); }", n) + " }"),
                new Shape("negations", false, n -> "BEGIN { print(" + rep("- ", n) + "1); }"),
                new Shape("ternaries", false, n -> "BEGIN { $a = 1; print(" + rep("$a == 2 ? 2 : ", n) + "3); }"),
                new Shape("blocks", false, n -> "BEGIN { " + rep("{ ", n) + "print(1);" + rep(" }", n) + " }"),
                new Shape("parentheses", true, n -> "probe begin { println(" + rep("(", n) + "1" + rep(")", n) + ") }"),
                new Shape("sum", true, n -> "probe begin { println(1" + rep(" + 1", n) + ") }"),
                new Shape("ifs", true, n -> "probe begin { " + rep("if (1) ", n) + "println(1) }"),
                new Shape("ternaries", true, n -> "probe begin { a = 1; println(" + rep("a == 2 ? 2 : ", n) + "3) }"));
    }

    static Script parse(Shape s, int n) {
        Source src = new Source("deep.bt", s.script().apply(n));
        return s.stap() ? StapParser.parse(src, (cat, ev) -> true) : Parser.parse(src);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void tooDeepIsASyntaxErrorWithItsPlace(Shape s) {
        SyntaxError e = assertThrows(SyntaxError.class, () -> onSmallStack(() -> parse(s, 2000)));
        String r = e.render();
        assertTrue(r.matches("(?s)deep\\.bt:1:\\d+: ERROR: too deeply nested: more than 200 levels.*"), r.substring(0, 200));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theDeepestAcceptedScriptCompiles(Shape s) {
        int n = 2000;
        Script script = null;
        while (script == null) {
            try {
                script = parse(s, n);
            } catch (SyntaxError e) {
                assertTrue(e.getMessage().contains("too deeply nested"), e.getMessage());
                n -= 1 + n / 10;
            }
        }
        assertTrue(n >= 40, s + " accepts only " + n + " levels");
        Script accepted = script;
        try {
            var compiled = onSmallStack(() -> Compiler.compile(Checker.check(accepted, new Params(List.of()), LangTesting.catalog(),
                    new Checker.Options(false)), new Compiler.Options(0, 0, 2)));
            assertFalse(compiled.programs().isEmpty());
        } catch (org.bpf4j.lang.syntax.SourceError e) {
            // a chain of 100 ?: holds more temporaries than BPF's 512-byte stack: the program's limit, said as such
            assertTrue(e.getMessage().contains("512 bytes of stack"), e.getMessage());
        }
    }

    /** Runs {@code work} on a thread with the JVM's default 1 MiB stack, rethrowing what it throws. */
    static <T> T onSmallStack(java.util.function.Supplier<T> work) {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                out.set(work.get());
            } catch (Throwable x) {
                out.set(x);
            }
        }, "nesting", 1 << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (out.get() instanceof RuntimeException r) throw r;
        if (out.get() instanceof Error r) throw r;
        @SuppressWarnings("unchecked") T v = (T) out.get();
        return v;
    }
}
