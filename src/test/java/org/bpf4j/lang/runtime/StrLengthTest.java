package org.bpf4j.lang.runtime;

import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code str(ptr, len)} reads {@code len} bytes of a string that is not NUL-terminated (HotSpot's probes pass names
 * as pointer and length), with the length known only at run time or a constant: the bytes after it stay out; and
 * strings longer than the BPF stack holds once {@code max_strlen} is raised (they live in a per-CPU scratch map).
 */
@Tag("kernel")
class StrLengthTest {
    private static final MethodHandle WRITE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("write").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    @Test
    void readsByLengthNotToTheFirstNul() {
        Kernel.require();
        int tid = org.bpf4j.sys.Native.gettid();
        String script = "tracepoint:syscalls:sys_enter_write /tid == " + tid + " && args.fd == 2 && args.count == 6/ {"
                + " printf(\"[%s][%s][%s]\\n\", str(args.buf, args.count), str(args.buf, 6), str(args.buf, args.count - 4)); exit(); }";
        SessionTest.Run r = SessionTest.run(script, false, () -> {
            try (Arena arena = Arena.ofConfined()) {
                // "knownXYZ...": the six bytes written are followed by more letters, not by a NUL
                MemorySegment buf = arena.allocateFrom("known!TRAILING-BYTES-WITHOUT-A-NUL-FOR-A-WHILE");
                long n = (long) WRITE.invokeExact(2, buf, 6L);
                assertEquals(6, n);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }, o -> o.contains("]\n"));
        assertEquals("[known!][known!][kn]", r.out().lines().findFirst().orElse(""), r.out());
    }

    @Test
    void raisedMaxStrlenReadsWholeLongStringsIntoKeysEventsAndTuples() {
        Kernel.require();
        int tid = org.bpf4j.sys.Native.gettid();
        String script = "config = { max_strlen = 4000 } tracepoint:syscalls:sys_enter_write /tid == " + tid + " && args.count == 3001/ {"
                + " @[str(args.buf)] = count(); printf(\"%s\\n\", str(args.buf)); print((1, str(args.buf))); exit(); }";
        String text = "A".repeat(2999) + "Z";
        SessionTest.Run r = SessionTest.run(script, false, () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocateFrom(text); // 3000 characters and their NUL: 3001 bytes
                long n = (long) WRITE.invokeExact(-1, buf, 3001L); // a bad descriptor: the call fails, the tracepoint sees it
                assertEquals(-1, n);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }, o -> false);
        java.util.List<String> lines = r.out().lines().filter(l -> !l.isEmpty()).toList();
        assertEquals(java.util.List.of(text, "(1, " + text + ")", "@[" + text + "]: 1"), lines,
                () -> "lengths " + lines.stream().map(String::length).toList());
    }
}
