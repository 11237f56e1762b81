package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramSpec;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Fd;
import org.bpf4j.tracefs.Tracefs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kprobes on every kernel function a shell-style pattern matches ({@code vfs_*}, {@code __x64_sys_getp?id}),
 * as bpftrace's wildcard kprobes: one kprobe_multi link (5.18, fprobe) where the kernel has them
 * ({@link AttachSupport#kprobeMulti()}), else one kprobe per match sharing one program. The candidates are the
 * functions ftrace can trace ({@code available_filter_functions}), the kernel's own list of what kprobes may
 * attach to cheaply. The link owns the program it loaded.
 */
public final class KprobeMultiLink implements Link {
    private final String name;
    private final KernelProgram program;
    private final Fd fd;
    private final List<KprobeLink> single;
    private final int functions;

    private KprobeMultiLink(String name, KernelProgram program, Fd fd, List<KprobeLink> single, int functions) {
        this.name = name;
        this.program = program;
        this.fd = fd;
        this.single = single;
        this.functions = functions;
    }

    /**
     * Loads {@code spec} (a kprobe program) and attaches it to every traceable kernel function matching
     * {@code pattern}, at entry or, with {@code ret}, at return. No match is a {@link UserException}.
     */
    public static KprobeMultiLink attach(ProgramSpec spec, Map<String, ? extends KernelMap> maps, String pattern, boolean ret) {
        String what = (ret ? "kretprobe:" : "kprobe:") + pattern;
        if (spec.type() != ProgramType.KPROBE)
            throw new IllegalArgumentException("program " + spec.name() + " is a " + spec.type().bpftoolName()
                    + " program; " + what + " needs a kprobe program");
        AttachSupport.kprobes().require();
        List<String> matches = matching(pattern);
        if (matches.isEmpty())
            throw new UserException(what + ": no traceable kernel function matches " + pattern + " (available_filter_functions)");
        return AttachSupport.kprobeMulti().supported() ? multi(spec, maps, matches, ret, what) : each(spec, maps, matches, ret, what);
    }

    /** The traceable kernel functions whose names match {@code pattern} ({@code *} and {@code ?}), sorted. */
    public static List<String> matching(String pattern) {
        Pattern p = glob(pattern);
        List<String> out = new ArrayList<>();
        for (String f : Tracefs.get().kernelFunctions()) if (p.matcher(f).matches()) out.add(f);
        return out;
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString());
    }

    private static KprobeMultiLink multi(ProgramSpec spec, Map<String, ? extends KernelMap> maps, List<String> matches,
                                         boolean ret, String what) {
        KernelProgram program = KernelProgram.load(new ProgramSpec(spec.name(), spec.type(), spec.program(), spec.license(),
                LinkCreate.BPF_TRACE_KPROBE_MULTI), maps);
        try {
            int r = LinkCreate.kprobeMulti(program.fd().value(), matches, null, ret);
            if (r < 0) throw new BpfException("BPF_LINK_CREATE", -r, what + " (kprobe_multi on " + matches.size() + " functions)");
            return new KprobeMultiLink(what, program, new Fd(r), List.of(), matches.size());
        } catch (RuntimeException e) {
            program.close();
            throw e;
        }
    }

    private static KprobeMultiLink each(ProgramSpec spec, Map<String, ? extends KernelMap> maps, List<String> matches,
                                        boolean ret, String what) {
        KernelProgram program = KernelProgram.load(spec, maps);
        List<KprobeLink> links = new ArrayList<>();
        try {
            for (String f : matches) {
                try {
                    links.add(KprobeLink.attach(program, f, 0, ret));
                } catch (UserException e) {
                    // a function ftrace lists but kprobes refuse (blacklisted): skipped, as bpftrace does
                    if (matches.size() == 1) throw e;
                }
            }
            if (links.isEmpty()) throw new UserException(what + ": the kernel can probe none of the " + matches.size() + " matching functions");
            return new KprobeMultiLink(what, program, null, List.copyOf(links), links.size());
        } catch (RuntimeException e) {
            links.forEach(KprobeLink::close);
            program.close();
            throw e;
        }
    }

    /** How many functions the program is attached to. */
    public int functions() { return functions; }

    /** True when one kprobe_multi link holds every function; false when there is one kprobe per function. */
    public boolean isMulti() { return fd != null; }

    /** The program this link loaded. */
    public KernelProgram program() { return program; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() {
        if (fd != null) fd.close();
        single.forEach(KprobeLink::close);
        program.close();
    }
}
