package org.bpf4j.fuzz;

import org.bpf4j.InputFiles;
import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.CallNames;
import org.bpf4j.asm.Disassembler;
import org.bpf4j.asm.Program;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.BtfBuilder;
import org.bpf4j.btf.CDump;
import org.bpf4j.btf.Kind;
import org.bpf4j.btf.RawDump;
import org.bpf4j.elf.ElfFile;
import org.bpf4j.lang.LangTesting;
import org.bpf4j.lang.codegen.Compiler;
import org.bpf4j.lang.sema.Checker;
import org.bpf4j.lang.sema.Params;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.lang.syntax.Parser;
import org.bpf4j.lang.syntax.Script;
import org.bpf4j.lang.syntax.Source;
import org.bpf4j.lang.stap.StapParser;
import org.bpf4j.tracefs.EventFormat;
import org.bpf4j.tracefs.Tracefs;
import org.bpf4j.usdt.UsdtProbe;
import org.bpf4j.vm.Engine;
import org.bpf4j.vm.ProgramFile;
import org.bpf4j.vm.SyntheticEnvironment;
import org.bpf4j.vm.Vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The parsers a user feeds, each with its seeds from the test corpora (bpftrace's runtime cases and tools, the
 * golden scripts, bpf_conformance, the SystemTap tests, the tracefs copies, this machine's binaries) and the passes
 * an input goes through after parsing (checker and code generator; verifier and interpreter; dumps).
 */
final class Targets {
    private Targets() {}

    static final Path SHARED = Path.of(System.getProperty("bpf4j.shared", "../shared"));
    static final Path RESOURCES = Path.of("src/test/resources");

    /** Every target, in report order. */
    static List<FuzzTarget> all() {
        return List.of(bpftrace(), stap(), assembler(), raw(), elf(), btf(), usdt(), tracefsFormat(), exporterConfig(), exporterScript());
    }

    static FuzzTarget byName(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(name));
    }

    private static final List<String> SCRIPT_TOKENS = List.of("(", ")", "{", "}", "[", "]", ";", ",", "/", "?", ":", "$x", "$1", "@m",
            "@m[", "args->", "->", ".", ".0", "if (", "else ", "while (", "unroll(", "return", "print(", "printf(\"%d %s\\n\", ", "str(", "ustack",
            "kstack", "count()", "hist(", "lhist(", "sum(", "\"", "'", "\\", "/*", "*/", "//", "#define X ", "#include <errno.h>\n",
            "struct s { int a; char b[4]; }", "(struct s *)", "sizeof(", "++", "--", "<<", ">>", "&&", "||", "!", "~", "-", "+", "*", "&",
            "BEGIN", "END", "tracepoint:syscalls:sys_enter_kill", "uprobe:/bin/true:main", "usdt:/bin/true:p:n", "kprobe:do_sys_open",
            "interval:s:1", "profile:hz:99", "kfunc:vfs_read", "rawtracepoint:sched_switch", "\u00e9", "\u0000", "\t", "\n");

    private static final List<String> STAP_TOKENS = List.of("(", ")", "{", "}", "[", "]", ";", ",", "probe ", "begin", "end",
            "syscall.kill", "syscall.kill.return", "kernel.function(\"sys_kill\")", "timer.s(1)", "global a", "function f(x) { return x }",
            "f(1)", "$pid", "$sig", "$return", "pid()", "execname()", "printf(\"%d %s\\n\", ", "println(", "print(", "log(", "user_string(",
            "sprintf(\"%d\", ", "<<<", "@count(", "@hist_log(", "@hist_linear(", "foreach (", " in ", "delete ", "next", "if (", "else ",
            "for (", "while (", "exit()", ".", "\"", "\\", "#", "/*", "*/", "++", "+", "-", "*", "?", ":", "\u00e9", "\n");

    static FuzzTarget bpftrace() {
        List<byte[]> seeds = new ArrayList<>();
        files(RESOURCES.resolve("lang/golden"), ".bt").forEach(seeds::add);
        files(SHARED.resolve("bpftrace/tools"), ".bt").forEach(seeds::add);
        Pattern prog = Pattern.compile("(?m)^PROG (.+)$");
        for (byte[] f : files(SHARED.resolve("bpftrace/tests/runtime"), "")) {
            Matcher m = prog.matcher(new String(f, StandardCharsets.UTF_8));
            while (m.find()) seeds.add(m.group(1).getBytes(StandardCharsets.UTF_8));
        }
        ProbeCatalog catalog = LangTesting.catalog();
        return new FuzzTarget("bpftrace", seeds, SCRIPT_TOKENS, 64 << 10, in -> {
            Script s = Parser.parse(new Source("fuzz.bt", InputFiles.utf8(in, "fuzz.bt")));
            compile(s, catalog);
        }, Fuzzer::commonTyped);
    }

    static FuzzTarget stap() {
        List<byte[]> seeds = new ArrayList<>();
        Pattern lit = Pattern.compile("\"((?:probe|global|function) (?:[^\"\\\\]|\\\\.)*)\"");
        for (Path p : List.of(Path.of("src/test/java/org/bpf4j/lang/stap/StapTest.java"), Path.of("src/test/java/org/bpf4j/cli/StapCommandTest.java"))) {
            Matcher m = lit.matcher(read(p));
            while (m.find()) seeds.add(m.group(1).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\").getBytes(StandardCharsets.UTF_8));
        }
        seeds.add("""
                global counts, t
                function double(x) { return 2 * x }
                probe syscall.kill { counts[execname(), $sig] <<< double($pid); t <<< 1 }
                probe timer.s(1) { foreach ([c, s] in counts- limit 5) printf("%s %d %d\\n", c, s, @count(counts[c, s])) print(@hist_log(t)) exit() }
                """.getBytes(StandardCharsets.UTF_8));
        ProbeCatalog catalog = LangTesting.catalog();
        return new FuzzTarget("stap", seeds, STAP_TOKENS, 64 << 10, in -> {
            Script s = StapParser.parse(new Source("fuzz.stp", InputFiles.utf8(in, "fuzz.stp")), (c, e) -> c.equals("syscalls"));
            compile(s, catalog);
        }, Fuzzer::commonTyped);
    }

    private static final List<String> YAML_TOKENS = List.of("metrics:\n", "counters:\n", "histograms:\n", "  - name: ", "help: ",
            "labels:\n", "size: ", "padding: ", "decoders:\n", "- name: uint\n", "- name: static_map\n", "static_map:\n", "regexps:\n",
            "bucket_type: ", "exp2", "exp2zero", "linear", "fixed", "bucket_keys: [", "bucket_min: ", "bucket_max: ", "bucket_multiplier: ",
            "allow_unknown: true", "perf_event_array: true", "tracing:", "kaddrs:", "&a ", "*a", "!!str ", "!!binary ", "? ", "{", "}", "[", "]",
            ",", ":", "- ", "#", "'", "\"", "|\n", ">\n", "---\n", "...\n", "\t", "  ", "\n", "-1", "1e309", "0x10", "99999999999", "\u00e9");

    /** ebpf_exporter's YAML configs, as {@code --config.names} reads them. */
    static FuzzTarget exporterConfig() {
        List<byte[]> seeds = new ArrayList<>();
        Pattern yaml = Pattern.compile("\"\"\"\n((?:\\s*(?:metrics|tracing):.*\n)(?:.*\n)*?)\\s*\"\"\"");
        for (Path p : List.of(Path.of("src/test/java/org/bpf4j/exporter/ObjectMetricsTest.java"), Path.of("src/test/java/org/bpf4j/exporter/ObjectConfigTest.java"))) {
            Matcher m = yaml.matcher(read(p));
            while (m.find()) seeds.add(m.group(1).stripIndent().getBytes(StandardCharsets.UTF_8));
        }
        Path dir = tempDir("fuzz-exporter");
        Path file = dir.resolve("fuzz.yaml");
        return new FuzzTarget("exporter config (YAML)", seeds, YAML_TOKENS, 16 << 10, in -> {
            Files.write(file, in);
            org.bpf4j.exporter.FuzzEntry.config(file);
        }, Fuzzer::commonTyped);
    }

    /** Scripts as the exporter compiles them: directives in comments, histogram sums, the planner. */
    static FuzzTarget exporterScript() {
        List<byte[]> seeds = new ArrayList<>();
        List<String> directives = List.of("// exporter: @ name=calls help=\"x\" labels=comm\n", "// exporter: @lat unit=seconds scale=1e-9\n",
                "// exporter: @start skip\n", "// exporter: @x type=gauge\n");
        int i = 0;
        for (byte[] f : files(SHARED.resolve("bpftrace/tools"), ".bt")) {
            seeds.add((directives.get(i++ % directives.size()) + new String(f, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        }
        List<String> tokens = new ArrayList<>(SCRIPT_TOKENS);
        tokens.addAll(List.of("// exporter: ", "@m ", "name=", "help=\"", "unit=", "scale=", "labels=", "type=counter", "type=gauge", "skip", "1e-9", ","));
        ProbeCatalog catalog = LangTesting.catalog();
        return new FuzzTarget("exporter script (directives)", seeds, tokens, 64 << 10,
                in -> org.bpf4j.exporter.FuzzEntry.script(InputFiles.utf8(in, "fuzz.bt"), catalog), Fuzzer::commonTyped);
    }

    private static void compile(Script s, ProbeCatalog catalog) {
        var analysis = Checker.check(s, new Params(List.of("1", "two")), catalog, new Checker.Options(false));
        Compiler.compile(analysis, new Compiler.Options(0, 0, 2, 0));
    }

    private static final List<String> ASM_TOKENS = List.of("r0", "r1", "r10", "r11", "%r0", "%r1", "w1", "+", "-", "=", " += ", "goto ",
            "if ", " == ", " < ", "s< ", "pc+", "pc-", "exit", "call ", "call local ", "call 1", "callx ", "lddw ", "ldxdw ", "stxw ", "mov ",
            "add ", "jeq ", "ja ", "lock ", "*(u64 *)(r10 -8)", "[%r10-8]", "be16 ", "le64 ", "map[", "]", "#", ":", "label", "0x", "\n", ",");

    static FuzzTarget assembler() {
        List<byte[]> seeds = new ArrayList<>();
        for (Path p : paths(SHARED.resolve("conformance"), ".data")) {
            StringBuilder sb = new StringBuilder();
            boolean in = false;
            for (String line : read(p).split("\n")) {
                if (line.startsWith("--")) in = line.startsWith("-- asm");
                else if (in) sb.append(line).append('\n');
            }
            String asm = sb.toString();
            if (asm.isBlank()) continue;
            seeds.add(asm.getBytes(StandardCharsets.UTF_8));
            if (seeds.size() % 3 == 0) {
                try {
                    seeds.add(Disassembler.dump(Assembler.parse(asm).instructions(), CallNames.HELPERS, false).getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    // a seed the assembler refuses stays a text seed only
                }
            }
        }
        int[] n = {0};
        return new FuzzTarget("assembler", seeds, ASM_TOKENS, 16 << 10, in -> {
            Program p = Assembler.parse(InputFiles.utf8(in, "fuzz.s"));
            runVm(p, (n[0]++ & 7) == 0 ? Engine.JIT : Engine.INTERPRETER, true);
        }, Fuzzer::commonTyped);
    }

    static FuzzTarget raw() {
        List<byte[]> seeds = new ArrayList<>();
        for (Path p : paths(SHARED.resolve("conformance"), ".data")) {
            try {
                seeds.add(ProgramFile.read(p).program().encode());
            } catch (RuntimeException e) {
                // programs with raw sections the encoder cannot round-trip are left out
            }
        }
        int[] n = {0};
        return new FuzzTarget("raw instructions", seeds, List.of(), 8 << 10, in -> {
            Program p = Program.decode(in);
            Disassembler.dump(p.instructions(), CallNames.HELPERS, true);
            boolean verify = (n[0]++ & 1) == 0; // half are run unverified: the engine's own checks and budget
            runVm(p, Engine.INTERPRETER, verify);
        }, Fuzzer::commonTyped);
    }

    private static void runVm(Program p, Engine engine, boolean verify) {
        try (Vm vm = Vm.builder(p).engine(engine).verify(verify).contextSize(16).maxIterations(10_000)
                .environment(new SyntheticEnvironment()).build()) {
            vm.run(new byte[16]);
        }
    }

    static FuzzTarget elf() {
        List<byte[]> seeds = new ArrayList<>();
        for (String b : List.of("/usr/bin/true", "/usr/bin/sleep")) {
            try {
                if (Files.size(Path.of(b)) < 200_000) seeds.add(Files.readAllBytes(Path.of(b)));
            } catch (IOException e) {
                // not on this machine
            }
        }
        seeds.add(TinyElf.withNote(usdtNotes().getFirst()));
        Path file = tempFile("fuzz-elf");
        return new FuzzTarget("elf", seeds, List.of(), 256 << 10, in -> {
            Files.write(file, in);
            try (ElfFile elf = ElfFile.open(file)) {
                elf.segments();
                for (ElfFile.Symbol s : elf.symbols()) {
                    if (s.isFunction()) elf.functionContaining(s.value());
                }
                elf.symbol("main");
                for (ElfFile.Section s : elf.sections()) elf.contents(s);
                for (UsdtProbe p : UsdtProbe.read(elf)) p.layoutKey();
            }
        }, Fuzzer::commonTyped);
    }

    static FuzzTarget usdt() {
        List<byte[]> seeds = usdtNotes();
        Path file = tempFile("fuzz-usdt");
        return new FuzzTarget("usdt notes", seeds, List.of("-4@%edi", "8@-8(%rbp)", "8@%rax", "-8@$-1", "8@sym(%rip)", "4@8(%rax,%rbx,4)", " ", "@", "%", "(", ")"),
                4 << 10, in -> {
            Files.write(file, TinyElf.withNote(in));
            try (ElfFile elf = ElfFile.open(file)) {
                for (UsdtProbe p : UsdtProbe.read(elf)) p.layoutKey();
            }
        }, Fuzzer::ownIllegalArgument);
    }

    static FuzzTarget btf() {
        List<byte[]> seeds = new ArrayList<>();
        BtfBuilder b = new BtfBuilder();
        int i32 = b.type("int", Kind.INT, 0, false, 4, (1 << 24) | 32);
        int u8 = b.type("unsigned char", Kind.INT, 0, false, 1, 8);
        int ptr = b.type("", Kind.PTR, 0, false, 4);
        int node = b.type("node", Kind.STRUCT, 3, true, 16, b.str("next"), ptr, 0, b.str("flags"), u8, (3 << 24) | 64, b.str("v"), i32, 96);
        b.type("color", Kind.ENUM, 2, true, 4, b.str("RED"), -1, b.str("BLUE"), 2);
        int td = b.type("node_t", Kind.TYPEDEF, 0, false, node);
        int proto = b.type("", Kind.FUNC_PROTO, 2, false, i32, b.str("n"), ptr, 0, 0);
        b.type("walk", Kind.FUNC, 1, false, proto);
        int arr = b.type("", Kind.ARRAY, 0, false, 0, u8, i32, 18);
        b.type("odd", Kind.UNION, 2, false, 18, b.str("a"), arr, 0, b.str("t"), td, 0);
        b.type("big", Kind.ENUM64, 1, false, 8, b.str("HUGE"), 0, 1);
        b.type("f", Kind.FLOAT, 0, false, 8);
        b.type("c", Kind.CONST, 0, false, i32);
        b.type("fwd", Kind.FWD, 0, true, 0);
        seeds.add(b.build());
        BtfBuilder small = new BtfBuilder();
        small.type("long int", Kind.INT, 0, false, 8, (1 << 24) | 64);
        small.type("x", Kind.VAR, 0, false, 1, 1);
        small.type(".data", Kind.DATASEC, 1, false, 8, 2, 0, 8);
        seeds.add(small.build());
        return new FuzzTarget("btf", seeds, List.of(), 64 << 10, in -> {
            Btf btf = Btf.parse(in, null, "fuzz.btf");
            StringBuilder out = new StringBuilder();
            RawDump.dump(btf, out);
            CDump.header(btf, out);
            for (int id = 1; id < btf.typeCount(); id++) {
                btf.sizeOf(id);
                btf.alignOf(id);
            }
        }, Fuzzer::commonTyped);
    }

    static FuzzTarget tracefsFormat() {
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> s = Files.walk(RESOURCES.resolve("lang/tracefs/events"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("format")).sorted().toList()) seeds.add(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path root = tempDir("fuzz-tracefs");
        Path format = root.resolve("events/fz/ev/format");
        try {
            Files.createDirectories(format.getParent());
            Files.writeString(format.resolveSibling("enable"), "0\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Tracefs tracefs = Tracefs.at(root);
        ProbeCatalog catalog = new ProbeCatalog(() -> tracefs) {
            @Override
            public Optional<Long> kernelSymbol(String name) { return Optional.empty(); }
        };
        return new FuzzTarget("tracefs format", seeds, List.of("field:", ";", "offset:", "size:", "signed:", "[", "]", "__data_loc ", "char", "*", "\t", "\n", "ID: "),
                16 << 10, in -> {
            String text = InputFiles.utf8(in, "format");
            EventFormat.parse("fz", "ev", text);
            Files.writeString(format, text);
            Script s = Parser.parse(new Source("fuzz.bt", "tracepoint:fz:ev { print(args); @[args->common_pid] = count(); }"));
            compile(s, catalog);
        }, Fuzzer::ownIllegalArgument);
    }

    /** The .note.stapsdt notes of this machine's python3 (it has USDT probes), else one written here. */
    static List<byte[]> usdtNotes() {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/usr/bin"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("python3\\.\\d+")).sorted().toList()) {
                try (ElfFile elf = ElfFile.open(p)) {
                    for (ElfFile.Section sec : elf.sections())
                        if (sec.name().equals(".note.stapsdt")) out.add(elf.contents(sec).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
                if (!out.isEmpty()) break;
            }
        } catch (IOException | RuntimeException e) {
            // no python3 here: the note below
        }
        ByteBuffer n = ByteBuffer.allocate(96).order(ByteOrder.LITTLE_ENDIAN);
        byte[] desc = "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0prov\0probe\0-4@%edi 8@-8(%rbp)\0".getBytes(StandardCharsets.ISO_8859_1);
        n.putInt(8).putInt(desc.length).putInt(3).put("stapsdt\0".getBytes(StandardCharsets.US_ASCII)).put(desc);
        while (n.position() % 4 != 0) n.put((byte) 0);
        out.add(java.util.Arrays.copyOf(n.array(), n.position()));
        return out;
    }

    private static List<byte[]> files(Path dir, String suffix) {
        List<byte[]> out = new ArrayList<>();
        for (Path p : paths(dir, suffix)) {
            try {
                out.add(Files.readAllBytes(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static List<Path> paths(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempFile(String prefix) {
        try {
            Path p = Files.createTempFile(prefix, "");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir(String prefix) {
        try {
            Path p = Files.createTempDirectory(prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> s = Files.walk(p)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
                } catch (IOException e) {
                    // best effort
                }
            }));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
