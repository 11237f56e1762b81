package org.bpf4j.vm.verifier;

import org.bpf4j.asm.Assembler;
import org.bpf4j.asm.Program;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PREVAIL's verifier test cases (../shared/verifier-cases/prevail): each is labelled accept (no messages) or
 * reject. The cases whose code bpf4j's assembler reads and whose entry state bpf4j can set up are verified
 * and compared with the label; the agreement is measured, and documented in docs/vm.md.
 */
class PrevailCorpusTest {
    static final Path DIR = Path.of(System.getProperty("user.dir")).resolve("../shared/verifier-cases/prevail").normalize();
    private static final Pattern REG = Pattern.compile("r(\\d+)\\.(\\w+)=(.*)");
    private static final Pattern STACK = Pattern.compile("s\\[(\\d+)\\.\\.\\.(\\d+)]\\.(\\w+)=(.*)");
    private static final Pattern LABEL = Pattern.compile("<(\\w+)>");

    /** A case translated for bpf4j, or why it could not be. */
    record Translated(YamlCases.Case c, Program program, State entry, VerifierOptions options, String unsupported) {}

    static List<YamlCases.Case> cases() throws IOException {
        List<YamlCases.Case> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("test-schema.yaml")).sorted().toList()) {
                all.addAll(YamlCases.parse(f.getFileName().toString(), Files.readString(f)));
            }
        }
        return all;
    }

    static Translated translate(YamlCases.Case c) {
        if (c.hasException()) return new Translated(c, null, null, null, "a harness fixture");
        if (c.options().contains("big_endian")) return new Translated(c, null, null, null, "big endian");
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> block : c.code().entrySet()) {
            text.append("L_").append(block.getKey()).append(":\n");
            for (String line : block.getValue().split("\n")) {
                String l = line.strip();
                if (l.isEmpty()) continue;
                Matcher call = Pattern.compile("call <(\\w+)>").matcher(l);
                if (call.find()) l = "call local L_" + call.group(1);
                text.append(LABEL.matcher(l).replaceAll("L_$1")).append('\n');
            }
        }
        // the cases are fragments that may end where their blocks end; give those an exit that reads nothing
        String[] lines = text.toString().strip().split("\n");
        String last = lines[lines.length - 1].replaceAll(";.*", "").strip();
        if (!last.equals("exit") && !last.startsWith("goto ")) text.append("r0 = 0\nexit\n");
        Program program;
        try {
            program = Assembler.parse(text.toString());
        } catch (IllegalArgumentException e) {
            return new Translated(c, null, null, null, "syntax: " + e.getMessage());
        }
        if (program.instructions().isEmpty()) return new Translated(c, null, null, null, "no instructions");
        VerifierOptions options = new VerifierOptions(ProgramType.SOCKET_FILTER, Map.of(), 64, true,
                c.options().contains("termination"), !c.options().contains("!allow_division_by_zero"), 100_000); // the cases are tiny
        Frame f = new Frame(-1, 0);
        f.regs[10] = new Value.Ptr(Value.Kind.STACK, Scalar.constant(0), 0, null, Frame.STACK, 0, false);
        Scalar[] nums = new Scalar[11];
        for (String p : c.pre()) {
            Matcher m = REG.matcher(p), s = STACK.matcher(p);
            if (m.matches()) {
                int r = Integer.parseInt(m.group(1));
                String field = m.group(2), value = m.group(3).trim();
                switch (field) {
                    case "type" -> {
                        switch (value) {
                            case "number" -> nums[r] = nums[r] == null ? Scalar.UNKNOWN : nums[r];
                            case "ctx" -> f.regs[r] = new Value.Ptr(Value.Kind.CTX, Scalar.constant(0), 0, null, 64, 0, false);
                            case "stack" -> f.regs[r] = new Value.Ptr(Value.Kind.STACK, Scalar.constant(0), 0, null, Frame.STACK, 0, false);
                            default -> {
                                return new Translated(c, null, null, null, "entry type " + value);
                            }
                        }
                    }
                    case "ctx_offset", "stack_offset" -> {
                        if (!(f.regs[r] instanceof Value.Ptr ptr)) return new Translated(c, null, null, null, "offset before type");
                        long[] off = range(value);
                        long base = field.equals("stack_offset") ? Frame.STACK : 0;
                        if (base > 0 && (r != 10 && off[1] > Frame.STACK || r == 10 && off[0] != Frame.STACK))
                            return new Translated(c, null, null, null, "a stack of more than one frame");
                        f.regs[r] = ptr.withOff(Scalar.UNKNOWN.withS64(off[0] - base, off[1] - base).sync());
                    }
                    case "svalue", "uvalue" -> {
                        if (f.regs[r] instanceof Value.Ptr) continue; // the pointer's numeric value: not modelled
                        if (value.startsWith("r")) continue; // a relation between registers
                        long[] range = range(value);
                        Scalar base = nums[r] == null ? Scalar.UNKNOWN : nums[r];
                        nums[r] = (field.equals("svalue") ? base.withS64(range[0], range[1]) : base.withU64(range[0], range[1])).sync();
                    }
                    default -> {
                        return new Translated(c, null, null, null, "entry field " + field);
                    }
                }
            } else if (s.matches()) {
                if (!s.group(3).equals("type")) continue; // values of stack bytes: only initialisation is modelled
                if (!s.group(4).equals("number")) return new Translated(c, null, null, null, "stack entry " + s.group(4));
                int from = Integer.parseInt(s.group(1)), to = Integer.parseInt(s.group(2));
                if (to >= Frame.STACK) return new Translated(c, null, null, null, "stack of more than one frame");
                for (int i = from; i <= to; i++) f.bytes[i] = Frame.MISC;
            } else {
                return new Translated(c, null, null, null, "entry " + p);
            }
        }
        for (int r = 0; r < 11; r++) {
            if (nums[r] == null) continue;
            if (!c.pre().contains("r" + r + ".type=number")) return new Translated(c, null, null, null, "r" + r + " of any type");
            f.regs[r] = Value.num(nums[r]);
        }
        return new Translated(c, program, new State(f), options, null);
    }

    private static long[] range(String v) {
        if (v.startsWith("[")) {
            String[] parts = v.substring(1, v.length() - 1).split(",");
            return new long[] {Long.parseUnsignedLong(parts[0].trim().replace("-", "")) * (parts[0].trim().startsWith("-") ? -1 : 1),
                    parseLong(parts[1].trim())};
        }
        long x = parseLong(v);
        return new long[] {x, x};
    }

    private static long parseLong(String s) {
        return s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
    }

    /** Whether bpf4j's verifier accepts the translated case. */
    static boolean accepts(Translated t) {
        try {
            Verifier.verify(t.program(), t.c().name(), t.options(), t.entry());
            return true;
        } catch (VerifierException e) {
            return false;
        }
    }

    private static String why(Translated t) {
        try {
            Verifier.verify(t.program(), t.c().name(), t.options(), t.entry());
            return "";
        } catch (VerifierException e) {
            return e.getMessage();
        }
    }

    @Test
    void agreementWithPrevailsLabels() throws IOException {
        List<YamlCases.Case> all = cases();
        assertEquals(802, all.size(), "PREVAIL's corpus has 802 cases");
        int run = 0, agree = 0, agreeLenient = 0, weAcceptTheyReject = 0, weRejectTheyAccept = 0, accepts = 0, rejects = 0;
        StringBuilder disagreements = new StringBuilder();
        for (YamlCases.Case c : all) {
            if (c.accepted()) accepts++; else rejects++;
            Translated t = translate(c);
            if (t.unsupported() != null) continue;
            run++;
            boolean ours = accepts(t);
            if (ours == c.acceptedIgnoringUnreachable()) agreeLenient++;
            if (ours == c.accepted()) {
                agree++;
            } else {
                if (ours) weAcceptTheyReject++; else weRejectTheyAccept++;
                disagreements.append("  ").append(ours ? "accept/reject " : "reject/accept ").append(c).append(" -- ").append(why(t)).append('\n');
            }
        }
        System.out.printf("PREVAIL corpus: %d cases (%d accept, %d reject); %d run by bpf4j, agreement %d/%d (%.1f%%);"
                        + " bpf4j accepts where PREVAIL rejects: %d, rejects where PREVAIL accepts: %d;"
                        + " agreement counting 'Code becomes unreachable' as a warning: %d/%d (%.1f%%)%n%s",
                all.size(), accepts, rejects, run, agree, run, 100.0 * agree / run, weAcceptTheyReject, weRejectTheyAccept,
                agreeLenient, run, 100.0 * agreeLenient / run,
                System.getenv("BPF4J_VERBOSE") != null ? disagreements : "");
        assertEquals(529, accepts);
        assertTrue(run > 300, "only " + run + " cases could be run");
        assertTrue(agree >= run * 0.75, "agreement " + agree + "/" + run);
    }
}
