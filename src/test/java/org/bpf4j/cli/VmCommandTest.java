package org.bpf4j.cli;

import org.bpf4j.asm.Conformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code bpf4j vm run} and {@code bpf4j vm verify}, in-process: stdout, stderr, exit status. */
class VmCommandTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    static synchronized Result bpf4j(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.run(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void runsAConformanceFileOnItsMemoryWithEitherEngine() {
        String ldxb = Conformance.root().resolve("ldxb.data").toString();
        for (String engine : List.of("--interp", "--jit")) {
            Result r = bpf4j("vm", "run", engine, ldxb);
            assertEquals(new Result(0, "0x11\n", ""), r);
        }
        assertEquals("0xcc\n", bpf4j("vm", "run", "--mem", "aa bb cc dd ee", ldxb).out());
    }

    @Test
    void runsAssemblerTextAndRawInstructions() throws Exception {
        Path asm = file("loop.s", "r0 = 0\nr1 = 0\nloop:\nr0 += 3\nr1 += 1\nif r1 < 10000000 goto loop\nexit\n");
        Result r = bpf4j("vm", "run", "--jit", asm.toString());
        assertEquals(new Result(0, "0x1c9c380\n", ""), r);
        Path raw = dir.resolve("ret42.bin");
        Files.write(raw, java.util.HexFormat.of().parseHex("b70000002a000000" + "9500000000000000"));
        assertEquals("0x2a\n", bpf4j("vm", "run", raw.toString()).out());
    }

    @Test
    void aRejectedProgramExitsNonZeroWithOneLine() throws Exception {
        Path bad = file("bad.s", "mov %r1, 1\nexit\n");
        Result r = bpf4j("vm", "run", bad.toString());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("bpf4j: verifier rejected program 'bad.s' at instruction 1 (exit): R0 !read_ok\n", r.err());
        Path oob = file("oob.s", "ldxw %r0, [%r1+2]\nexit\n");
        r = bpf4j("vm", "run", "--mem", "00 01 02 03", oob.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("at instruction 0 (r0 = *(u32 *)(r1 +2)): invalid access to context"), r.err());
        assertEquals("0x5040302\n", bpf4j("vm", "run", "--mem", "00 01 02 03 04 05", oob.toString()).out());
    }

    @Test
    void verifyPrintsTheCostOrTheLog() throws Exception {
        Result ok = bpf4j("vm", "verify", Conformance.root().resolve("prime.data").toString());
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().startsWith("prime.data: accepted: 16 instructions"), ok.out());
        Result bad = bpf4j("vm", "verify", file("bad.s", "mov %r1, 1\nexit\n").toString());
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("\n0: (b7) r1 = 1\n1: (95) exit\nR1=1 R2=0 R10=fp\nR0 !read_ok\n"), bad.err());
    }

    @Test
    void kernelRulesAreOptIn() throws Exception {
        Path p = file("shift.s", "r0 = 1\nr0 <<= 70\nexit\n");
        assertEquals("0x40\n", bpf4j("vm", "run", p.toString()).out(), "RFC 9669 masks the shift count");
        assertEquals(0, bpf4j("vm", "verify", p.toString()).status());
        Result r = bpf4j("vm", "verify", "--kernel-rules", p.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("bpf4j: verifier rejected program 'shift.s' at instruction 1 (r0 <<= 70): invalid shift 70"), r.err());
    }

    @Test
    void mapsAndXdpPacketsFromTheCommandLine() throws Exception {
        Path count = file("count.s", String.join("\n", "*(u32 *)(r10 -4) = 0", "r1 = map[hits]", "r2 = r10", "r2 += -4",
                "call bpf_map_lookup_elem#1", "if r0 == 0x0 goto out", "r1 = 5", "lock *(u64 *)(r0 +0) += r1",
                "r0 = *(u64 *)(r0 +0)", "out:", "exit", ""));
        assertEquals("0x5\n", bpf4j("vm", "run", "--map", "hits=array,4,8,1", count.toString()).out());
        assertEquals(0, bpf4j("vm", "verify", "--map", "hits=array,4,8,1", count.toString()).status());
        Result missing = bpf4j("vm", "run", count.toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("uses map 'hits', which was not given"), missing.err());
        assertTrue(bpf4j("vm", "run", "--map", "hits=array,4", count.toString()).err().contains("expected NAME=TYPE,KEY,VALUE,MAX"));
        Path xdp = file("xdp.s", org.bpf4j.vm.XdpTestPrograms.DROP_IPV4);
        String ipv4 = "00".repeat(12) + "0800" + "00".repeat(20);
        assertEquals("0x1\n", bpf4j("vm", "run", "--type", "xdp", "--mem", ipv4, xdp.toString()).out());
        assertEquals("0x2\n", bpf4j("vm", "run", "--jit", "--type", "xdp", "--mem", "0800", xdp.toString()).out());
    }

    @Test
    void syntaxErrorsNameFileLineAndColumn() throws Exception {
        Path p = file("syn.s", "mov %r0, 1\n  foo %r1\nexit\n");
        Result r = bpf4j("vm", "run", p.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("bpf4j: " + p + ":2:3: unknown mnemonic 'foo'\n"), r.err());
    }

    @Test
    void theSuitesUnusedFieldProgramsAreRejectedWhenDecoded() {
        List<Path> unused = Conformance.negatives().stream().filter(f -> f.getFileName().toString().startsWith("unused-")).toList();
        assertFalse(unused.isEmpty());
        for (Path f : unused) {
            Result r = bpf4j("vm", "run", "--no-verify", f.toString());
            assertEquals(1, r.status(), f + ": " + r);
            assertTrue(r.err().matches("bpf4j: " + f.getFileName() + ": instruction \\d+: .*\n"), r.err());
        }
    }

    /** Issue 15's fuzzing finds for vm run, each ending in one message and status 1 (they crashed or never ended). */
    @Test
    void badProgramsEndInOneMessage() throws Exception {
        Result call = bpf4j("vm", "run", file("call.s", "call\nexit\n").toString());
        assertEquals(1, call.status());
        assertTrue(call.err().startsWith("bpf4j: " + dir.resolve("call.s") + ":1:1: call needs a target"), call.err());
        Result zero = bpf4j("vm", "run", "/dev/zero");
        assertEquals(new Result(1, "", "bpf4j: /dev/zero: larger than 16 MiB, the most bpf4j reads of such a file\n"), zero);
        Result type = bpf4j("vm", "run", "--map", "m=bogus,4,8,1", file("r.s", "mov %r0, 0\nexit\n").toString());
        assertEquals("bpf4j: --map m=bogus,4,8,1: unknown map type 'bogus' (e.g. hash, array, percpu_array, ringbuf)\n", type.err());
        Result size = bpf4j("vm", "run", "--map", "m=hash,18446744073709551615,8,1", dir.resolve("r.s").toString());
        assertEquals("bpf4j: --map m=hash,18446744073709551615,8,1: key size '18446744073709551615' is not a number from 0 to 2147483647\n", size.err());
    }

    /** A loop that ends only after 2^64 iterations is refused by the verifier, and stopped by the budget without it. */
    @Test
    void loopWorkIsBounded() throws Exception {
        Path loop = file("loop.s", "mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, -1, l\nexit\n");
        Result r = bpf4j("vm", "run", loop.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("not proven to terminate: it may run about 2^64 iterations, more than the 100000000 a run may take"), r.err());
        for (String engine : List.of("--interp", "--jit")) {
            r = bpf4j("vm", "run", engine, "--no-verify", "--max-iterations", "1000", loop.toString());
            assertEquals(new Result(1, "", "bpf4j: instruction 2: the run took more than 1000 loop iterations (backward jumps), its budget\n"), r);
        }
        // within the budget it runs to the end
        Path counted = file("counted.s", "mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 1000, l\nexit\n");
        assertEquals("0x3e8\n", bpf4j("vm", "run", "--jit", "--max-iterations", "1100", counted.toString()).out());
        assertEquals(1, bpf4j("vm", "run", "--max-iterations", "500", counted.toString()).status());
    }

    /** With no memory r1 and r2 are 0, as bpf_conformance and uBPF run a program: a program may add them. */
    @Test
    void noMemoryMeansR1AndR2AreZero() throws Exception {
        Path add = file("add.s", "mov %r0, %r1\nadd %r0, %r2\nadd %r0, 7\nexit\n");
        for (String engine : List.of("--interp", "--jit"))
            assertEquals(new Result(0, "0x7\n", ""), bpf4j("vm", "run", engine, add.toString()));
        assertEquals(0, bpf4j("vm", "verify", add.toString()).status());
        // with memory r1 is the pointer, and returning it is refused as before
        assertTrue(bpf4j("vm", "run", "--mem", "00", add.toString()).err().contains("leaks addr"));
    }
}
