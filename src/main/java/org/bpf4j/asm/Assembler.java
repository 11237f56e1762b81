package org.bpf4j.asm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text assembler accepting, line by line, both the bpf_conformance suite's syntax ({@code mov32 %r0, 1},
 * {@code ldxw %r0, [%r1+4]}, {@code jeq %r1, 0x10, +2}) and bpftool's {@code prog dump xlated} syntax
 * ({@code r7 = *(u64 *)(r1 +104)}, {@code if r0 == 0x0 goto pc+2}, {@code call bpf_map_update_elem#2}), with or
 * without bpftool's leading {@code "N: (xx) "}. Labels are {@code name:} lines; jumps may name them.
 * Comments start with {@code #} (at the line start or after whitespace), {@code ;} or {@code //}; bpftool's
 * {@code opcodes} lines and function signature lines are skipped.
 */
public final class Assembler {
    private static final Pattern LABEL = Pattern.compile("([A-Za-z_.$][\\w.$]*)\\s*:");
    private static final Pattern PREFIX = Pattern.compile("(?:\\d+\\s*:\\s*)?(?:\\([0-9a-fA-F]{2}\\)\\s*)?");
    private static final Pattern OPCODES = Pattern.compile("(?:[0-9a-fA-F]{2}\\s+){7,}[0-9a-fA-F]{2}");
    private static final Pattern SIGNATURE = Pattern.compile(".*\\(.*\\)\\s*:");

    /** Words that start a bpftool-dialect statement without an '='. */
    private static final java.util.Set<String> BPFTOOL_WORDS = java.util.Set.of("if", "goto", "gotol", "gotox",
            "may_goto", "call", "callx", "exit", "nospec", "lock", "store_release");

    private Assembler() {
    }

    /** The longest line read: an instruction with a comment is far shorter. */
    static final int MAX_LINE = 1000;

    /** Assembles {@code text}; throws {@link AsmSyntaxException} ("line L:C: ...") for the first error. */
    public static Program parse(String text) {
        String[] lines = text.split("\r?\n", -1);
        List<Statement> statements = new ArrayList<>();
        List<SourceLine> origins = new ArrayList<>();
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (int n = 0; n < lines.length; n++) {
            String raw = lines[n];
            // the line patterns backtrack: a line of thousands of operands overflows the stack in java.util.regex
            if (raw.length() > MAX_LINE)
                throw new AsmSyntaxException(n + 1, 1, "line of " + raw.length() + " characters, longer than any instruction (" + MAX_LINE + ")", raw.substring(0, 80));
            String body = stripComment(raw);
            int start = 0;
            while (start < body.length() && Character.isWhitespace(body.charAt(start))) {
                start++;
            }
            String stmt = body.strip();
            if (stmt.isEmpty() || OPCODES.matcher(stmt).matches() || SIGNATURE.matcher(stmt).matches()) {
                continue;
            }
            Matcher label = LABEL.matcher(stmt);
            if (label.lookingAt()) {
                if (labels.putIfAbsent(label.group(1), statements.size()) != null) {
                    throw new AsmSyntaxException(n + 1, start + 1, "duplicate label '" + label.group(1) + "'", raw);
                }
                int rest = label.end();
                while (rest < stmt.length() && Character.isWhitespace(stmt.charAt(rest))) {
                    rest++;
                }
                if (rest == stmt.length()) {
                    continue;
                }
                start += rest;
                stmt = stmt.substring(rest);
            }
            Matcher prefix = PREFIX.matcher(stmt);
            if (prefix.lookingAt() && prefix.end() > 0) {
                start += prefix.end();
                stmt = stmt.substring(prefix.end());
            }
            SourceLine line = new SourceLine(n + 1, raw, stmt, start);
            statements.add(parseStatement(line));
            origins.add(line);
        }
        return resolve(statements, origins, labels);
    }

    private static Statement parseStatement(SourceLine line) {
        String stmt = line.statement();
        String first = stmt.substring(0, ConformanceSyntax.indexOfSpace(stmt));
        boolean conformance = ConformanceSyntax.handles(first) && !stmt.contains("=") && !stmt.contains("*(")
                && !(first.equals("call") && (stmt.contains("#") || stmt.matches("call\\s+pc[+-]\\d+.*")));
        if (!conformance && first.matches("[A-Za-z_][\\w.]*") && !BPFTOOL_WORDS.contains(first) && !stmt.contains("=")) {
            throw line.error(0, "unknown mnemonic '" + first + "'");
        }
        try {
            return conformance ? ConformanceSyntax.parse(line) : BpftoolSyntax.parse(line);
        } catch (AsmSyntaxException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw line.error(0, e.getMessage());
        }
    }

    /** Drops a comment: {@code #} at the start or after whitespace (so {@code call f#2} keeps it), {@code ;}, {@code //}. */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1))))
                    || c == ';' || (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/')) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static Program resolve(List<Statement> statements, List<SourceLine> origins, Map<String, Integer> labels) {
        int[] slotOf = new int[statements.size() + 1];
        int firstExit = -1;
        for (int i = 0; i < statements.size(); i++) {
            Instruction insn = statements.get(i).insn();
            slotOf[i + 1] = slotOf[i] + insn.width();
            if (firstExit < 0 && insn.op() instanceof Operation.Exit) {
                firstExit = i;
            }
        }
        Map<String, Integer> targets = new HashMap<>(labels);
        if (firstExit >= 0) {
            // the conformance suite's assembler lets jumps name "exit": the first exit instruction
            targets.putIfAbsent("exit", firstExit);
        }
        List<Instruction> out = new ArrayList<>(statements.size());
        List<MapReference> maps = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            Statement s = statements.get(i);
            SourceLine line = origins.get(i);
            Instruction insn = s.insn();
            if (s.mapName() != null) {
                maps.add(new MapReference(i, s.mapName()));
            }
            if (s.target() != null) {
                Integer target = targets.get(s.target());
                if (target == null) {
                    throw new AsmSyntaxException(line.number(), s.column(), "undefined label '" + s.target() + "'",
                            line.text());
                }
                long distance = (long) slotOf[target] - (slotOf[i] + 1);
                if (s.targetInImm()) {
                    insn = insn.withImmLow((int) distance);
                } else if (distance < Short.MIN_VALUE || distance > Short.MAX_VALUE) {
                    throw new AsmSyntaxException(line.number(), s.column(),
                            "jump to '" + s.target() + "' is " + distance + " slots away, beyond a 16-bit offset",
                            line.text());
                } else {
                    insn = insn.withOffset((int) distance);
                }
            }
            out.add(insn);
        }
        return Program.of(out, maps, labels);
    }
}
