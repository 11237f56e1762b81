package org.bpf4j.lang.runtime;

import org.bpf4j.asm.Helper;
import org.bpf4j.features.Features;
import org.bpf4j.link.AttachSupport;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Sysctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code bpf4j trace --info}: what this kernel supports of what bpftrace uses, in bpftrace 0.17's layout and
 * words, each line answered by a probe of the running kernel (a tiny program loaded, a map created, an attach
 * point tried: {@link Features}, {@link AttachSupport}), never assumed. The "Build" section says what this
 * build is: a compiler in Java, so no LLVM, bfd or libdw.
 */
public final class KernelInfo {
    private KernelInfo() {}

    /** Prints the report, a line at a time. */
    public static void print(String version, Consumer<String> out) {
        out.accept("System");
        out.accept("  OS: Linux " + Sysctl.read("kernel/osrelease").orElse("?") + " " + Sysctl.read("kernel/version").orElse("?"));
        out.accept("  Arch: " + arch());
        out.accept("");
        out.accept("Build");
        out.accept("  version: " + version);
        out.accept("  LLVM: none (bpf4j compiles to BPF in Java)");
        out.accept("  unsafe uprobe: no");
        out.accept("  bfd: no");
        out.accept("  libdw (DWARF support): no");
        out.accept("");
        out.accept("Kernel helpers");
        for (Helper h : new Helper[] {Helper.PROBE_READ, Helper.PROBE_READ_STR, Helper.PROBE_READ_USER,
                Helper.PROBE_READ_USER_STR, Helper.PROBE_READ_KERNEL, Helper.PROBE_READ_KERNEL_STR,
                Helper.GET_CURRENT_CGROUP_ID, Helper.SEND_SIGNAL, Helper.OVERRIDE_RETURN}) {
            out.accept("  " + h.helperName() + ": " + yes(Features.helper(ProgramType.KPROBE, h.id()).orElse(false)));
        }
        out.accept("  get_boot_ns: " + yes(Features.helper(ProgramType.KPROBE, Helper.KTIME_GET_BOOT_NS.id()).orElse(false)));
        // bpf_d_path and bpf_skb_output are for fentry programs only (bpftrace probes them with a kfunc program)
        boolean fentry = AttachSupport.fentry().supported();
        out.accept("  dpath: " + yes(fentry));
        out.accept("  skboutput: " + yes(fentry));
        out.accept("");
        out.accept("Kernel features");
        out.accept("  Instruction limit: " + (Features.largeInstructionLimit() ? 1_000_000 : 4096));
        out.accept("  Loop support: " + yes(Features.boundedLoops()));
        out.accept("  btf: " + yes(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))));
        out.accept("  map batch: " + yes(Features.mapBatch()));
        // bpftrace 0.17 names its bcc dependency here, and its test runner looks for the line as written
        out.accept("  uprobe refcount (depends on Build:bcc bpf_attach_uprobe refcount): " + yes(Files.exists(Path.of("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"))));
        out.accept("");
        out.accept("Map types");
        out.accept("  hash: " + yes(Features.mapType(MapType.HASH)));
        out.accept("  percpu hash: " + yes(Features.mapType(MapType.PERCPU_HASH)));
        out.accept("  array: " + yes(Features.mapType(MapType.ARRAY)));
        out.accept("  percpu array: " + yes(Features.mapType(MapType.PERCPU_ARRAY)));
        out.accept("  stack_trace: " + yes(Features.mapType(MapType.STACK_TRACE)));
        out.accept("  perf_event_array: " + yes(Features.mapType(MapType.PERF_EVENT_ARRAY)));
        out.accept("");
        out.accept("Probe types");
        boolean kprobes = AttachSupport.kprobes().supported();
        out.accept("  kprobe: " + yes(kprobes));
        out.accept("  tracepoint: " + yes(Features.programType(ProgramType.TRACEPOINT)));
        out.accept("  perf_event: " + yes(Features.programType(ProgramType.PERF_EVENT)));
        out.accept("  kfunc: " + yes(fentry));
        // task iterators are tracing programs too: where fentry cannot load, neither can they
        boolean iterators = fentry && Features.programType(ProgramType.TRACING);
        out.accept("  iter:task: " + yes(iterators));
        out.accept("  iter:task_file: " + yes(iterators));
        out.accept("  kprobe_multi: " + yes(kprobes && Features.kprobeMulti()));
        // v0.26's line: session links are kprobe_multi links of the attach type Linux 6.10 added
        out.accept("  kprobe_session: " + yes(kprobes && Features.kprobeMulti() && atLeast(6, 10)));
        out.accept("  raw_tp_special: " + yes(Features.programType(ProgramType.RAW_TRACEPOINT)));
    }

    /** True when the running kernel's release is at least {@code major.minor}. */
    private static boolean atLeast(int major, int minor) {
        try {
            String[] v = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
            int ma = Integer.parseInt(v[0]), mi = Integer.parseInt(v[1]);
            return ma > major || ma == major && mi >= minor;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static String arch() {
        String a = System.getProperty("os.arch", "unknown");
        return switch (a.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }
}
