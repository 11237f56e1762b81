package org.bpf4j.tools;

import org.bpf4j.elf.ElfFile;
import org.bpf4j.lang.sema.ProbeCatalog;
import org.bpf4j.tool.ToolException;
import org.bpf4j.tracefs.Tracefs;
import org.bpf4j.usdt.UsdtProbe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * funccount's {@code -r}: BCC's pattern forms with a regular expression in place of the wildcard, matched as
 * Python's {@code re.match} does (anchored at the start only) against what BCC lists: tracepoints as
 * {@code category:event}, a binary's function symbols, a binary's USDT probe names. The matches become an explicit
 * list of attach points, since the tracing language's own patterns are wildcards.
 */
final class FuncRegex {
    /** BCC's default probe limit ({@code BPF.get_probe_limit()}). */
    static final int PROBE_LIMIT = 1000;
    /** Names the tracing language takes as written in an attach point. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private FuncRegex() {}

    /** The attach points, comma-separated, that BCC's {@code pattern} read with -r stands for ("" for none). */
    static String attachPoints(String pattern) {
        Funccount.Parts parts = Funccount.Parts.of(pattern);
        String type = parts.type(), lib = parts.lib(), expr = parts.func();
        Pattern re;
        try {
            re = Pattern.compile(expr);
        } catch (PatternSyntaxException e) {
            throw new Funccount.BadPattern("bad regular expression " + expr + ": " + e.getDescription());
        }
        Set<String> out = new LinkedHashSet<>();
        ProbeCatalog catalog = ProbeCatalog.system();
        switch (type) {
            case "t" -> {
                for (String tp : catalog.tracepoints()) if (re.matcher(tp).lookingAt()) out.add("tracepoint:" + tp);
            }
            case "u" -> {
                for (Map.Entry<String, Path> t : catalog.targets(lib, true).entrySet())
                    for (UsdtProbe u : UsdtProbe.read(t.getValue()))
                        if (re.matcher(u.name()).lookingAt() && PLAIN.matcher(u.provider()).matches() && PLAIN.matcher(u.name()).matches())
                            out.add("usdt:" + t.getKey() + ":" + u.provider() + ":" + u.name());
            }
            default -> {
                if (lib.isEmpty()) {
                    if (!Files.exists(Tracefs.get().root().resolve("kprobe_events")))
                        throw new ToolException.NotSupported("kprobes are not available on this kernel (built without CONFIG_KPROBES): "
                                + "kprobe:" + expr, null);
                    for (String f : catalog.kernelFunctions()) if (re.matcher(f).lookingAt() && PLAIN.matcher(f).matches()) out.add("kprobe:" + f);
                } else {
                    for (Map.Entry<String, Path> t : catalog.targets(lib, false).entrySet()) {
                        try (ElfFile elf = ElfFile.open(t.getValue())) {
                            for (String f : ProbeCatalog.functions(elf))
                                if (re.matcher(f).lookingAt() && PLAIN.matcher(f).matches()) out.add("uprobe:" + t.getKey() + ":" + f);
                        }
                    }
                }
            }
        }
        if (out.size() > PROBE_LIMIT) throw new Funccount.BadPattern("maximum of " + PROBE_LIMIT + " probes allowed, attempted " + out.size());
        return String.join(", ", new ArrayList<>(out));
    }
}
