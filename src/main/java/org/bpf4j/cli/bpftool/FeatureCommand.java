package org.bpf4j.cli.bpftool;

import org.bpf4j.asm.Helper;
import org.bpf4j.features.Features;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.sys.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/** {@code bpf4j feature probe [kernel]}: bpftool's feature probe, its sections and wording. */
@Command(name = "feature", mixinStandardHelpOptions = true, description = "Probe what BPF features the kernel has, as bpftool feature.",
        subcommands = {FeatureCommand.ProbeCmd.class})
public final class FeatureCommand extends VerbGroup {
    @Override
    String verbs() { return "probe"; }

    /** The kernel configuration options bpftool reports, in its order. */
    static final List<String> OPTIONS = List.of("CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT",
            "CONFIG_BPF_JIT_ALWAYS_ON", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES", "CONFIG_CGROUPS",
            "CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA", "CONFIG_BPF_EVENTS",
            "CONFIG_KPROBE_EVENTS", "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING", "CONFIG_FTRACE_SYSCALLS",
            "CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET", "CONFIG_XDP_SOCKETS",
            "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF", "CONFIG_NET_CLS_ACT",
            "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM", "CONFIG_IP_ROUTE_CLASSID", "CONFIG_IPV6_SEG6_BPF",
            "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER", "CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_BPFILTER",
            "CONFIG_BPFILTER_UMH", "CONFIG_TEST_BPF", "CONFIG_HZ");

    /** Helpers that write to the kernel log when probed: bpftool skips them unless asked for "full". */
    static final List<String> NOISY = List.of("trace_printk", "trace_vprintk", "probe_write_user");

    /** {@code /proc/sys/...} as a number, or -1 when it cannot be read (bpftool's read_procfs). */
    static int sysctl(String path) {
        return (int) org.bpf4j.sys.Sysctl.number(path, -1);
    }

    /** The kernel's build configuration: /boot/config-RELEASE, else /proc/config.gz; empty when neither is there. */
    static Map<String, String> kernelConfig() {
        Map<String, String> out = new HashMap<>();
        Path boot = Path.of("/boot/config-" + System.getProperty("os.version"));
        try (InputStream in = Files.exists(boot) ? Files.newInputStream(boot)
                : new GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")));
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                int eq = line.indexOf('=');
                if (line.startsWith("CONFIG_") && eq > 0) {
                    String v = line.substring(eq + 1);
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                    out.put(line.substring(0, eq), v);
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    static String unprivText(int v) {
        return switch (v) {
            case 0 -> "bpf() syscall for unprivileged users is enabled";
            case 1 -> "bpf() syscall restricted to privileged users (without recovery)";
            case 2 -> "bpf() syscall restricted to privileged users (admin can change)";
            case -1 -> "Unable to retrieve required privileges for bpf() syscall";
            default -> "bpf() syscall restriction has unknown value " + v;
        };
    }

    static String jitEnableText(int v) {
        return switch (v) {
            case 0 -> "JIT compiler is disabled";
            case 1 -> "JIT compiler is enabled";
            case 2 -> "JIT compiler is enabled with debugging traces in kernel logs";
            case -1 -> "Unable to retrieve JIT-compiler status";
            default -> "JIT-compiler status has unknown value " + v;
        };
    }

    static String jitHardenText(int v) {
        return switch (v) {
            case 0 -> "JIT compiler hardening is disabled";
            case 1 -> "JIT compiler hardening is enabled for unprivileged users";
            case 2 -> "JIT compiler hardening is enabled for all users";
            case -1 -> "Unable to retrieve JIT hardening status";
            default -> "JIT hardening status has unknown value " + v;
        };
    }

    static String jitKallsymsText(int v) {
        return switch (v) {
            case 0 -> "JIT compiler kallsyms exports are disabled";
            case 1 -> "JIT compiler kallsyms exports are enabled for root";
            case -1 -> "Unable to retrieve JIT kallsyms export status";
            default -> "JIT kallsyms exports status has unknown value " + v;
        };
    }

    static String jitLimitText(int v) {
        return v == -1 ? "Unable to retrieve global memory limit for JIT compiler for unprivileged users"
                : "Global memory limit for JIT compiler for unprivileged users is " + v + " bytes";
    }

    /** {@code feature probe [kernel] [full]}. */
    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "List the program types, map types, helpers and other features the kernel supports.")
    static final class ProbeCmd implements Callable<Integer> {
        @CommandLine.ParentCommand FeatureCommand parent;
        @Parameters(arity = "0..2", paramLabel = "ARG", description = "[kernel] [full]")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            boolean full = false;
            for (String a : args) {
                switch (a) {
                    case "kernel" -> { }
                    case "full" -> full = true;
                    default -> throw new org.bpf4j.UserException("feature probe: unexpected '" + a + "' (expected kernel or full; probing a device is not supported)");
                }
            }
            Privileges.requireBpf("feature probe");
            PrintWriter out = spec.commandLine().getOut();
            boolean json = parent.output.json();
            Json j = parent.output.writer();
            StringBuilder t = new StringBuilder();
            if (json) j.beginObject();

            int unpriv = sysctl("kernel/unprivileged_bpf_disabled"), jit = sysctl("net/core/bpf_jit_enable"),
                    harden = sysctl("net/core/bpf_jit_harden"), kallsyms = sysctl("net/core/bpf_jit_kallsyms"),
                    limit = sysctl("net/core/bpf_jit_limit");
            Map<String, String> config = kernelConfig();
            if (json) {
                j.name("system_config").beginObject();
                j.field("unprivileged_bpf_disabled", unpriv).field("bpf_jit_enable", jit).field("bpf_jit_harden", harden)
                        .field("bpf_jit_kallsyms", kallsyms).field("bpf_jit_limit", limit);
                for (String o : OPTIONS) {
                    j.name(o);
                    if (config.containsKey(o)) j.value(config.get(o));
                    else j.nullValue();
                }
                j.endObject();
                j.name("syscall_config").beginObject().field("have_bpf_syscall", true).endObject();
            } else {
                t.append("Scanning system configuration...\n");
                t.append(unprivText(unpriv)).append('\n').append(jitEnableText(jit)).append('\n')
                        .append(jitHardenText(harden)).append('\n').append(jitKallsymsText(kallsyms)).append('\n')
                        .append(jitLimitText(limit)).append('\n');
                if (config.isEmpty()) {
                    t.append("skipping kernel config, can't open file: No such file or directory\n");
                } else {
                    for (String o : OPTIONS) {
                        String v = config.get(o);
                        t.append(o).append(v != null ? " is set to " + v : " is not set").append('\n');
                    }
                }
                t.append("\nScanning system call availability...\nbpf() syscall is available\n\n");
            }

            List<ProgramType> supportedTypes = new ArrayList<>();
            if (json) j.name("program_types").beginObject();
            else t.append("Scanning eBPF program types...\n");
            for (ProgramType pt : ProgramType.values()) {
                if (pt == ProgramType.UNSPEC) continue;
                boolean ok = Features.programType(pt);
                if (ok) supportedTypes.add(pt);
                if (json) j.field("have_" + pt.bpftoolName() + "_prog_type", ok);
                else t.append("eBPF program_type ").append(pt.bpftoolName()).append(ok ? " is available\n" : " is NOT available\n");
            }
            if (json) j.endObject();
            else t.append('\n');

            if (json) j.name("map_types").beginObject();
            else t.append("Scanning eBPF map types...\n");
            for (MapType mt : MapType.values()) {
                if (mt == MapType.UNSPEC) continue;
                boolean ok = Features.mapType(mt);
                if (json) j.field("have_" + mt.bpftoolName() + "_map_type", ok);
                else t.append("eBPF map_type ").append(mt.bpftoolName()).append(ok ? " is available\n" : " is NOT available\n");
            }
            if (json) j.endObject();
            else t.append('\n');

            if (json) j.name("helpers").beginObject();
            else t.append("Scanning eBPF helper functions...\n");
            for (ProgramType pt : ProgramType.values()) {
                if (pt == ProgramType.UNSPEC) continue;
                boolean supportedType = supportedTypes.contains(pt);
                if (json) j.name(pt.bpftoolName() + "_available_helpers").beginArray();
                else t.append("eBPF helpers supported for program type ").append(pt.bpftoolName()).append(':');
                boolean any = false;
                for (Helper h : Helper.values()) {
                    if (!full && NOISY.contains(h.helperName())) continue;
                    Optional<Boolean> ok = supportedType ? Features.helper(pt, h.id()) : Optional.of(false);
                    if (ok.orElse(false)) {
                        any = true;
                        if (json) j.value("bpf_" + h.helperName());
                        else t.append("\n\t- bpf_").append(h.helperName());
                    }
                }
                if (json) j.endArray();
                else {
                    t.append('\n');
                    if (!any) t.append(supportedType ? "\tCould not determine which helpers are available\n" : "\tProgram type not supported\n");
                }
            }
            if (json) j.endObject();
            else t.append('\n');

            if (json) {
                j.name("misc").beginObject().field("have_large_insn_limit", Features.largeInstructionLimit())
                        .field("have_bounded_loops", Features.boundedLoops())
                        .field("have_v2_isa_extension", Features.isaV2())
                        .field("have_v3_isa_extension", Features.isaV3()).endObject();
                j.endObject();
                out.print(j.text());
            } else {
                t.append("Scanning miscellaneous eBPF features...\n");
                t.append("Large program size limit is ").append(Features.largeInstructionLimit() ? "available\n" : "NOT available\n");
                t.append("Bounded loop support is ").append(Features.boundedLoops() ? "available\n" : "NOT available\n");
                t.append("ISA extension v2 is ").append(Features.isaV2() ? "available\n" : "NOT available\n");
                t.append("ISA extension v3 is ").append(Features.isaV3() ? "available\n" : "NOT available\n");
                t.append('\n');
                out.print(t);
            }
            out.flush();
            return 0;
        }
    }
}
