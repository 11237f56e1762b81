package org.bpf4j.lang.runtime;

import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.syntax.SourceError;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Scripts run for real in the kernel, in this JVM: output as bpftrace prints it, exit status, clean-up. */
@Tag("kernel")
class SessionTest {
    record Run(String out, int status) {}

    /** Runs {@code script} until exit(), or until {@code until} holds for the output so far, or 10 s. */
    static Run run(String script, boolean json, Runnable trigger, java.util.function.Predicate<String> until) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Output out = new Output(ps, json, true);
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Session s = Session.load(LangTesting.compileForKernel(script), out, new Session.Options(0, false))) {
            s.start(() -> { });
            if (trigger != null) trigger.run();
            s.run(() -> System.nanoTime() > deadline || until.test(bytes.toString(StandardCharsets.UTF_8)));
            int status = s.finish();
            return new Run(bytes.toString(StandardCharsets.UTF_8), status);
        }
    }

    static Run run(String script) { return run(script, false, null, o -> false); }

    @Test
    void enumsPrintByNameAndGfpFlagsByTheKernelsNames() {
        Kernel.require();
        Run r = run("""
                enum Foo { ONE = 1, TWO = 2, OTHER = 99999 };
                BEGIN {
                  printf("%d %s %s|%5s|%-4s|\\n", ONE, ONE, (enum Foo)7, TWO, ONE);
                  printf("%gr %gr %gr\\n", 1, 0, 0x100 | (1 << 62));
                  @k[ONE] = TWO; @t = (ONE, TWO + 0); print((enum Foo)99999); exit();
                }
                """);
        assertEquals("1 ONE 7|  TWO|ONE |\nGFP_DMA 0 __GFP_ZERO|0x4000000000000000\nOTHER\n\n\n@k[ONE]: TWO\n@t: (ONE, 2)\n", r.out());
        Run json = run("enum Foo { ONE = 1 }; BEGIN { @k[ONE] = (enum Foo)1; @n = (enum Foo)5; exit(); }", true, null, o -> false);
        assertTrue(json.out().contains("{\"type\": \"map\", \"data\": {\"@k\": {\"ONE\": \"ONE\"}}}"), json.out());
        assertTrue(json.out().contains("{\"type\": \"map\", \"data\": {\"@n\": 5}}"), json.out());
    }

    @Test
    void aTracepointsEnumFieldPrintsAsTheKernelsEnumerator() throws Exception {
        Kernel.require();
        // a UDP datagram to a port nobody listens on is dropped with SKB_DROP_REASON_NO_SOCKET
        Runnable send = () -> {
            try (java.net.DatagramSocket sock = new java.net.DatagramSocket()) {
                byte[] b = {1};
                for (int i = 0; i < 20; i++) sock.send(new java.net.DatagramPacket(b, 1, java.net.InetAddress.getLoopbackAddress(), 9));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Run r = run("""
                tracepoint:skb:kfree_skb /args.reason == SKB_DROP_REASON_NO_SOCKET/ {
                  $r = args.reason; printf("%s %d\\n", $r, $r > 0); @[args.reason] = count(); exit();
                }
                """, false, send, o -> false);
        assertTrue(r.out().startsWith("SKB_DROP_REASON_NO_SOCKET 1\n"), r.out());
        assertTrue(r.out().contains("\n@[SKB_DROP_REASON_NO_SOCKET]: "), r.out());
    }

    @Test
    void v026FunctionsAndConfigTakeEffect() {
        Kernel.require();
        // a zero divisor gives 1 (with a runtime warning on stderr); print_maps_on_exit=0 keeps @zero from printing
        Run r = run("""
                config = { print_maps_on_exit = 0; license = "Dual BSD/GPL" }
                BEGIN {
                  @zero = 0; print(signal_name(2)); print(signal_name(0)); print(signal_name(1024)); print(syscall_name(0));
                  print(10 / @zero); print(10 % @zero); print(10 / (@zero + 5)); exit();
                }
                """);
        assertEquals("Interrupt\nUnknown signal 0\nN/A\nread\n1\n1\n2\n", r.out());
        SourceError e = assertThrows(SourceError.class, () -> run("config = { license = \"Potato\" } BEGIN { exit(); }"));
        assertTrue(e.getMessage().contains("Invalid value for license. Found: Potato. Valid values: Dual MIT/GPL"), e.getMessage());
    }

    @Test
    void beginPrintsAndMapsArePrintedAtExitInBpftracesLayout() {
        Kernel.require();
        Run r = run("""
                BEGIN {
                  printf("%5d|%-5d|%x|%X|%o|%c|%s|%-4s|%lu|%p|%d\\n", 42, 42, 255, 255, 8, 65, "str", "ab", 1e6, 4096, 4294967297);
                  @a = 1; @b[1] = 2; @b[2] = 1; @c["x", 3] = count(); @s = sum(-5); @t = (1, "x", (int8)-2);
                  @h = hist(3); @h = hist(1500); @l = lhist(5000, 0, 2048, 1024); @l = lhist(-1, 0, 2048, 1024);
                  @st[1] = stats(10); @st[1] = stats(20); @av = avg(7);
                  exit(3);
                }
                """);
        assertEquals(3, r.status());
        assertEquals("""
                   42|42   |ff|FF|10|A|str|ab  |1000000|0x1000|1
                
                
                @a: 1
                @av: 7
                
                @b[2]: 1
                @b[1]: 2
                @c[x, 3]: 1
                @h:
                [2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                [4, 8)                 0 |                                                    |
                [8, 16)                0 |                                                    |
                [16, 32)               0 |                                                    |
                [32, 64)               0 |                                                    |
                [64, 128)              0 |                                                    |
                [128, 256)             0 |                                                    |
                [256, 512)             0 |                                                    |
                [512, 1K)              0 |                                                    |
                [1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                
                @l:
                (..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                [0, 1K)                0 |                                                    |
                [1K, 2K)               0 |                                                    |
                [2K, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
                
                @s: -5
                @st[1]: { .count = 2, .average = 15, .total = 30 }
                
                @t: (1, x, -2)
                """, r.out());
    }

    @Test
    void aTracepointProbeSeesARealKill() throws Exception {
        Kernel.require();
        long[] sender = {0};
        Run r = run("tracepoint:syscalls:sys_enter_kill /args->sig == 0/ { printf(\"%d %d %s\\n\", pid, args->pid, comm); @[comm] = count(); }",
                false, () -> {
                    try {
                        Process p = new ProcessBuilder("/bin/sh", "-c", "kill -0 $$").start();
                        sender[0] = p.pid();
                        assertEquals(0, p.waitFor());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, o -> o.contains(sender[0] + " " + sender[0] + " sh\n"));
        String line = sender[0] + " " + sender[0] + " sh\n";
        assertTrue(r.out().contains(line), "no line '" + line.strip() + "' in:\n" + r.out());
        assertTrue(r.out().matches("(?s).*@\\[sh\\]: [1-9]\\d*\n.*"), r.out());
    }

    @Test
    void printClearZeroDeleteAndStringsAtRunTime() {
        Kernel.require();
        Run r = run("""
                BEGIN {
                  @x = 10; printf("%d", @x++); printf(" %d", ++@x); printf(" %d", @x--); printf(" %d\\n", --@x);
                  @m["a"] = 1; @m["b"] = 2; delete(@m["a"]); print(@m);
                  @z[1] = count(); zero(@z); print(@z); clear(@z);
                  $s = "hello"; if ($s == "hello" && $s != "hell") { printf("eq\\n"); }
                  printf("%d %d\\n", strncmp("one", "one ", 4), strncmp("wow", "wowza", 3));
                  $n = "lo"; $m = "xlo";
                  printf("%d%d%d%d%d%d%d\\n", strcontains("hello", "ell"), strcontains("hello", "elo"), strcontains("hello", ""),
                         strcontains("hello", $n), strcontains("hello", $m), strcontains("ab", "abc"), strcontains("aab", "ab"));
                  printf("%d %d %d %d\\n", -7 / 2, -7 % 3, -1 < (uint8)1, (uint64)-1 > 0);
                  print((1, "a", (2, "b")));
                  exit();
                }
                """);
        assertEquals("10 12 12 10\n@m[b]: 2\n@z[1]: 0\neq\n1 0\n1011001\n-4 0 0 1\n(1, a, (2, b))\n\n\n@m[b]: 2\n@x: 10\n\n", r.out(),
                "strcontains; division unsigned and comparisons signed only between signed operands, as bpftrace 0.17's");
    }

    @Test
    void jsonOutput() {
        Kernel.require();
        Run r = run("BEGIN { printf(\"a\\tb\\n\"); @[1, \"x\"] = 2; @h = hist(2); @h = hist(1025); print(5); exit(); }", true, null, o -> false);
        assertEquals("""
                {"type": "printf", "data": "a\\tb\\n"}
                {"type": "value", "data": 5}
                
                
                {"type": "map", "data": {"@": {"1,x": 2}}}
                {"type": "hist", "data": {"@h": [{"min": 2, "max": 3, "count": 1}, {"min": 4, "max": 7, "count": 0}, \
                {"min": 8, "max": 15, "count": 0}, {"min": 16, "max": 31, "count": 0}, {"min": 32, "max": 63, "count": 0}, \
                {"min": 64, "max": 127, "count": 0}, {"min": 128, "max": 255, "count": 0}, {"min": 256, "max": 511, "count": 0}, \
                {"min": 512, "max": 1023, "count": 0}, {"min": 1024, "max": 2047, "count": 1}]}}
                """, r.out());
    }

    @Test
    void kernelStructsComeFromBtf() {
        Kernel.require();
        Kernel.unless(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/kernel/btf/vmlinux")) ? null : "no kernel BTF");
        Run r = run("""
                #ifdef BPFTRACE_HAVE_BTF
                BEGIN {
                  $t = (struct task_struct *)curtask;
                  printf("%d %d %d %s\\n", curtask->tgid == pid, $t->pid == tid, $t->real_parent->tgid > 0, $t->comm);
                  exit();
                }
                #endif
                """);
        assertTrue(r.out().startsWith("1 1 1 "), r.out());
    }

    @Test
    void usdtProbesReadTheirArgumentsAsTheNoteSays() throws Exception {
        Kernel.require();
        java.nio.file.Path jvm = java.nio.file.Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        Kernel.unless(java.nio.file.Files.exists(jvm) ? null : "no " + jvm);
        // this JVM's own hotspot:thread__start fires when the test starts a thread: arg0 is its name, arg1 the length
        Run r = run("usdt:" + jvm + ":hotspot:thread__start { printf(\"%s %d\\n\", str(arg0, arg1), arg1); }", false, () -> {
            Thread t = new Thread(() -> { }, "bpf4j-usdt-marker");
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }, o -> o.contains("bpf4j-usdt-marker"));
        assertTrue(r.out().contains("bpf4j-usdt-marker 17\n"), r.out());
    }

    @Test
    void stacksPrintInTheirModeAndKeepTheirDepth() {
        Kernel.require();
        int tid = org.bpf4j.sys.Native.gettid();
        // this thread's getppid() goes through libc's getppid: the top user frame, symbolized with its module in perf's mode
        Run r = run("tracepoint:syscalls:sys_enter_getppid /tid == " + tid + "/ {"
                + " printf(\"P%sQ%sR%sU%sV\\n\", kstack(perf, 3), kstack(2), kstack(raw, 2), ustack(perf, 1));"
                + " @k[kstack(2)] = count(); exit(); }", false, org.bpf4j.sys.Native::getppid, o -> false);
        String out = r.out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("P\n((?:.*\n)*?)Q\n((?:.*\n)*?)R\n((?:.*\n)*?)U\n((?:.*\n)*?)V\n").matcher(out);
        assertTrue(m.find(), out);
        String[] perf = m.group(1).split("\n"), plain = m.group(2).split("\n"), raw = m.group(3).split("\n"), user = m.group(4).split("\n");
        assertEquals(3, perf.length, out);
        for (String f : perf) assertTrue(f.matches("\t[0-9a-f]{16} [\\w.]+\\+\\d+"), f);
        assertEquals(perf[0].substring(18), plain[0].strip(), "the same top frame in both modes");
        assertEquals(2, plain.length, out);
        for (String f : plain) assertTrue(f.matches(" {8}[\\w.]+\\+\\d+"), f);
        assertEquals(2, raw.length, out);
        assertEquals(perf[0].substring(1, 17), raw[0], "raw: the address alone");
        assertEquals(1, user.length, out);
        assertTrue(user[0].matches("\t[0-9a-f]+ getppid\\+\\d+ \\(/\\S*libc\\.so\\.6\\)"), user[0]);
        // a stack in a map key is indented by four, as bpftrace's map printer does
        assertTrue(out.contains("@k[\n    " + plain[0].strip() + "\n    " + plain[1].strip() + "\n]: 1\n"), out);
    }

    @Test
    void uaddrIsTheProbedBinarysSymbol() throws Exception {
        Kernel.require();
        // the C library this JVM maps: its getppid is what Native.getppid calls
        String libc = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                .filter(l -> l.endsWith("/libc.so.6")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElseThrow();
        long linkTime;
        try (org.bpf4j.elf.ElfFile elf = org.bpf4j.elf.ElfFile.open(java.nio.file.Path.of(libc))) {
            linkTime = elf.symbol("environ").orElseThrow().value();
        }
        // libc is position-independent: uaddr() is where environ is in this process, as the dynamic linker says
        long here = java.lang.foreign.Linker.nativeLinker().defaultLookup().find("environ").orElseThrow().address();
        assertNotEquals(linkTime, here);
        int tid = org.bpf4j.sys.Native.gettid();
        Run r = run("uprobe:" + libc + ":getppid /tid == " + tid + "/ { printf(\"%p %d\\n\", uaddr(\"environ\"), sizeof(*uaddr(\"environ\"))); exit(); }",
                false, org.bpf4j.sys.Native::getppid, o -> false);
        assertTrue(r.out().contains("0x" + Long.toHexString(here) + " 8\n"), r.out());
    }

    @Test
    void kaddrIsAKernelSymbolTheLoaderFillsInFromKallsyms() {
        // the code generator leaves the address as a relocation: compiling reads nothing of the machine
        var compiled = LangTesting.compile("BEGIN { @ = *kaddr(\"bpf4j_no_such_symbol\") }");
        var relocs = compiled.programs().getFirst().symbols();
        assertEquals(List.of("bpf4j_no_such_symbol"), relocs.stream().map(org.bpf4j.lang.codegen.SymbolRelocation::symbol).toList());
        var lddw = compiled.programs().getFirst().spec().program().instructions().get(relocs.getFirst().index());
        assertEquals(0, lddw.imm());
        // linked with a table: the lddw carries the address, the relocation is spent
        var linked = SymbolLinker.link(compiled, s -> s.equals("bpf4j_no_such_symbol") ? java.util.Optional.of(0xffffffff81234560L) : java.util.Optional.empty());
        assertEquals(0xffffffff81234560L, linked.programs().getFirst().spec().program().instructions().get(relocs.getFirst().index()).imm());
        assertTrue(linked.programs().getFirst().symbols().isEmpty());
        Kernel.require();
        long want = org.bpf4j.symbols.Kallsyms.lookup(java.nio.file.Path.of("/proc/kallsyms"), "vfs_read").orElseThrow();
        // *integer reads 8 bytes at that address, as a cast to a uint64 pointer does
        Run r = run("BEGIN { printf(\"%lx %d\\n\", kaddr(\"vfs_read\"), *kaddr(\"vfs_read\") == *(uint64 *)kaddr(\"vfs_read\")); exit(); }");
        assertTrue(r.out().startsWith(Long.toHexString(want) + " 1\n"), r.out());
        // a symbol kallsyms lacks fails at load, at the call, in bpftrace's words; nothing was created
        SourceError e = assertThrows(SourceError.class, () -> run("BEGIN { @ = *kaddr(\"bpf4j_no_such_symbol\"); exit(); }"));
        assertEquals("stdin:1:14: ERROR: Failed to resolve kernel symbol: bpf4j_no_such_symbol (kaddr(): no such symbol in /proc/kallsyms)",
                e.render().lines().findFirst().orElseThrow());
    }

    @Test
    void aVerifierRejectionIsShownOnTheScriptLine() {
        Kernel.require();
        SourceError e = assertThrows(SourceError.class, () -> run("""
                BEGIN {
                  @x = 1;
                  while (1) { }
                }
                """));
        assertEquals(3, e.span().line(), e.render());
        assertTrue(e.detail().startsWith("the kernel's verifier rejected the program of BEGIN at instruction "), e.detail());
        assertTrue(e.detail().contains("infinite loop detected"), e.detail());
        assertTrue(e.render().contains("\n  while (1) { }\n  ^~~~~"), e.render());
    }

    @Test
    void v026BuiltinsNcpusUsermodeProbetypeAndLowerCaseProbeNames() {
        Kernel.require();
        Run r = run("begin { printf(\"%d %d %s %s\\n\", ncpus, usermode, probetype, probe); exit(); }");
        assertEquals(org.bpf4j.sys.Cpus.possibleCount() + " 1 special begin\n", r.out().lines().findFirst().orElse("") + "\n");
    }

    @Test
    void aRawTracepointReadsItsArgumentsByNumberAndByBtfName() throws Exception {
        Kernel.require();
        // sys_enter(struct pt_regs *regs, long id): id is the system call's number, 39 for getpid
        Run r = run("rawtracepoint:sys_enter /pid == " + ProcessHandle.current().pid() + " && arg1 == 39 && args.id == 39/ { printf(\"%d %d %s\\n\", arg1, args.id, probetype); exit(); }",
                false, () -> new Thread(() -> {
                    for (int i = 0; i < 100; i++) {
                        org.bpf4j.sys.Native.getpid();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }).start(), o -> false);
        assertEquals("39 39 rawtracepoint\n", r.out().lines().findFirst().orElse("") + "\n", r.out());
    }

    @Test
    void forLoopsOverMapsRunPerEntryAndTheProbeSeesWhatTheyAssign() {
        Kernel.require();
        // v0.26: the body is a bpf_for_each_map_elem callback; break stops it, exit() in a nested loop ends the probe
        Run r = run("""
                config = { print_maps_on_exit = 0 }
                BEGIN {
                  @a[1, "x"] = 10; @a[2, "y"] = 20; @c["k"] = count(); @c["k"] = count(); @c["j"] = count();
                  $sum = 0; $last = "";
                  for ($kv : @a) { $sum += $kv.0.0 * $kv.1; }
                  for ($kv : @c) { if ($kv.0 == "k") { $last = $kv.0; printf("%s %d\\n", $kv.0, $kv.1); break; } }
                  print(($sum, $last, len(@a), len(@c)));
                  @v["a"] = avg(10); @v["a"] = avg(21); for ($kv : @v) { printf("avg %d\\n", $kv.1); }
                  for ($kv : @a) { for ($x : @c) { if ($kv.0.0 == 2) { print("out"); exit(); } } }
                  print("not reached");
                }
                """);
        assertEquals("k 2\n(50, k, 2, 2)\navg 15\nout\n", r.out());
    }

    @Test
    void onlyTheVariablesALoopUsesShareItsStack() {
        Kernel.require();
        // the probe and each loop body share the 512 bytes of stack; a body has its own copy of the variables it uses
        String big = "x".repeat(80);
        String vars = "$a = \"" + big + "\"; $b = \"" + big + "\"; $c = \"" + big + "\"; ";
        Run r = run("config = { print_maps_on_exit = 0 } BEGIN { @m[1] = 2; " + vars
                + "$n = 0; for ($kv : @m) { $n += $kv.1; } printf(\"%d %s\\n\", $n, $c); exit(); }");
        assertEquals("2 " + big + "\n", r.out());
        SourceError e = assertThrows(SourceError.class, () -> run("BEGIN { @m[1] = 2; " + vars
                + "for ($kv : @m) { $a = $b; $b = $c; } printf(\"%s\\n\", $c); exit(); }"));
        assertTrue(e.getMessage().contains("this for loop's body and the code around it need"), e.getMessage());
    }

    @Test
    void aLoopsBodyReadsTheProbesContext() {
        Kernel.require();
        Run r = run("rawtracepoint:sys_enter /pid == " + ProcessHandle.current().pid() + " && arg1 == 39/ { @m[1] = 1; @m[2] = 2; $n = 0; "
                        + "for ($kv : @m) { $n += args.id; printf(\"%d \", arg1); } printf(\"%d %d\\n\", $n, len(@m)); exit(); }",
                false, () -> new Thread(() -> {
                    for (int i = 0; i < 100; i++) {
                        org.bpf4j.sys.Native.getpid();
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }).start(), o -> false);
        assertEquals("39 39 78 2", r.out().lines().findFirst().orElse(""), r.out());
    }

    @Test
    void selfSignalProbesRunForEachSigusr1() throws Exception {
        Kernel.require();
        Run r = run("self:signal:SIGUSR1 { printf(\"first\"); } self:signal:SIGUSR1 { printf(\" second\\n\"); exit(); }", false,
                () -> new Thread(() -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                    org.bpf4j.sys.Syscalls.kill(org.bpf4j.sys.Native.getpid(), 10); // SIGUSR1
                }).start(), o -> false);
        assertEquals("first second\n", r.out().lines().findFirst().orElse("") + "\n", r.out());
    }

    @Test
    void aDeclaredMapHoldsItsSizeAndWarnsWhenFullUnlessItEvicts() {
        Kernel.require();
        java.io.PrintStream err = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        Run full, lru;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            full = run("let @a = hash(2); BEGIN { @a[1] = 1; @a[2] = 2; @a[3] = 3; @c[1] = count(); exit(); }");
            lru = run("let @a = lruhash(2); BEGIN { @a[1] = 1; @a[2] = 2; @a[3] = 3; exit(); }");
        } finally {
            System.setErr(err);
        }
        assertTrue(full.out().contains("@a[1]: 1\n@a[2]: 2\n") && !full.out().contains("@a[3]"), full.out());
        assertTrue(full.out().contains("@c[1]: 1"), full.out());
        assertTrue(lru.out().contains("@a[3]: 3"), lru.out());
        assertEquals(2, lru.out().lines().filter(l -> l.startsWith("@a[")).count(), lru.out());
        // one warning, of the update of @a[3], in v0.26's words
        assertEquals(1, warnings.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("WARNING: Map full; can't update element")).count(),
                warnings.toString(StandardCharsets.UTF_8));
    }

    @Test
    void percpuKaddrReadsAPerCpuVariableWhereTheKernelCanResolveIt() {
        Kernel.require();
        String script = "BEGIN { printf(\"%d %d\\n\", *percpu_kaddr(\"process_counts\", 0) > 0,"
                + " *percpu_kaddr(\"process_counts\") == *percpu_kaddr(\"process_counts\", cpu)); exit(); }";
        if (org.bpf4j.symbols.Kallsyms.get().address("process_counts").isPresent()) {
            // a kernel with CONFIG_KALLSYMS_ALL (Debian's): CPU 0 has forked processes, and this CPU's is this CPU's
            assertEquals("1 1\n", run(script).out());
        } else {
            // this kernel lists no data symbols: the lddw of the variable's BTF id cannot load, said at check time
            SourceError e = assertThrows(SourceError.class, () -> run(script));
            assertTrue(e.getMessage().contains("percpu_kaddr(): the kernel cannot resolve \"process_counts\""), e.getMessage());
        }
        SourceError none = assertThrows(SourceError.class, () -> run("BEGIN { print(*percpu_kaddr(\"no_such_var\")); }"));
        assertTrue(none.getMessage().contains("Could not resolve variable \"no_such_var\" from BTF"), none.getMessage());
    }
}
