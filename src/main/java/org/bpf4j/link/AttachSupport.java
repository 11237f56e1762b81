package org.bpf4j.link;

import org.bpf4j.BpfException;
import org.bpf4j.NotSupportedException;
import org.bpf4j.asm.Program;
import org.bpf4j.asm.Reg;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.prog.VerifierException;
import org.bpf4j.sys.Errno;
import org.bpf4j.sys.KernelConfig;
import org.bpf4j.tracefs.Tracefs;

import java.nio.file.Files;

/**
 * Feature probes for the attach points whose support varies between kernels: each says whether this kernel has it
 * and, when not, why, in the words a {@link NotSupportedException} carries. Results are cached.
 */
public final class AttachSupport {
    private AttachSupport() {}

    /** A probe's answer: supported, or the feature and the reason it is missing. */
    public record Support(String feature, boolean supported, String reason) {
        /** Throws the {@link NotSupportedException} this answer describes, when the feature is missing. */
        public void require() {
            if (!supported) throw new NotSupportedException(feature, reason);
        }

        @Override
        public String toString() { return feature + ": " + (supported ? "supported" : reason); }
    }

    private static volatile Support kprobes, fentry, kprobeMulti, uprobeMulti;

    /** kprobes and kretprobes through the kprobe PMU ({@code /sys/bus/event_source/devices/kprobe}). */
    public static Support kprobes() {
        Support s = kprobes;
        if (s == null) kprobes = s = probeKprobes();
        return s;
    }

    private static Support probeKprobes() {
        if (ProbePmu.find("kprobe").isPresent()) return new Support("kprobes", true, "");
        KernelConfig config = KernelConfig.get();
        if (config.isOff("CONFIG_KPROBES"))
            return new Support("kprobes", false, "kernel built without CONFIG_KPROBES");
        if (config.isOff("CONFIG_KPROBE_EVENTS"))
            return new Support("kprobes", false, "kernel built without CONFIG_KPROBE_EVENTS");
        boolean legacy = Files.exists(Tracefs.get().root().resolve("kprobe_events"));
        return new Support("kprobes", false, legacy
                ? "no kprobe PMU (/sys/bus/event_source/devices/kprobe): kernel older than 4.17, which bpf4j does not attach to"
                : "kernel built without CONFIG_KPROBES (no kprobe PMU and no kprobe_events in tracefs)");
    }

    /**
     * kprobe_multi links (5.18, CONFIG_FPROBE): probed as libbpf does, by creating one on a bogus address. A kernel
     * that has them refuses the address (EINVAL); one without refuses the link (EOPNOTSUPP), even where a program
     * with that expected attach type loads (6.1 without CONFIG_FPROBE), so loading alone does not tell.
     */
    public static Support kprobeMulti() {
        Support s = kprobeMulti;
        if (s == null) kprobeMulti = s = probeKprobeMulti();
        return s;
    }

    private static Support probeKprobeMulti() {
        Support k = kprobes();
        if (!k.supported()) return new Support("kprobe_multi", false, k.reason());
        byte[] insns = Program.builder().mov64(Reg.R0, 0).exit().build().encode();
        try (KernelProgram p = KernelProgram.load("probe_kpm", ProgramType.KPROBE, insns, "GPL", LinkCreate.BPF_TRACE_KPROBE_MULTI)) {
            int r = LinkCreate.kprobeMulti(p.fd().value(), java.util.List.of(), new long[] {1}, false);
            if (r >= 0) {
                new org.bpf4j.sys.Fd(r).close();
                return new Support("kprobe_multi", true, "");
            }
            if (-r == Errno.EINVAL) return new Support("kprobe_multi", true, "");
            return new Support("kprobe_multi", false, "the kernel refuses kprobe_multi links (BPF_LINK_CREATE: "
                    + Errno.describe(-r) + (-r == Errno.EOPNOTSUPP ? "): kernel built without CONFIG_FPROBE or older than 5.18" : ")"));
        } catch (BpfException e) {
            return new Support("kprobe_multi", false, "a kprobe program with expected attach type kprobe_multi does not load ("
                    + Errno.describe(e.errno()) + "): kernel older than 5.18");
        }
    }

    /**
     * uprobe_multi links (6.6): probed as libbpf does, by creating one on the directory {@code /}, which a kernel
     * that has them refuses as not a file (EBADF) and one without refuses as a link it does not know (EINVAL), or
     * before that, by the program not loading with that expected attach type.
     */
    public static Support uprobeMulti() {
        Support s = uprobeMulti;
        if (s == null) uprobeMulti = s = probeUprobeMulti();
        return s;
    }

    private static Support probeUprobeMulti() {
        byte[] insns = Program.builder().mov64(Reg.R0, 0).exit().build().encode();
        try (KernelProgram p = KernelProgram.load("probe_upm", ProgramType.KPROBE, insns, "GPL", LinkCreate.BPF_TRACE_UPROBE_MULTI)) {
            int r = LinkCreate.uprobeMulti(p.fd().value(), "/", new long[] {0}, false, 0);
            if (r >= 0) {
                new org.bpf4j.sys.Fd(r).close();
                return new Support("uprobe_multi", true, "");
            }
            if (-r == Errno.EBADF) return new Support("uprobe_multi", true, "");
            return new Support("uprobe_multi", false, "the kernel refuses uprobe_multi links (BPF_LINK_CREATE: "
                    + Errno.describe(-r) + "): kernel older than 6.6 or built without CONFIG_UPROBES");
        } catch (BpfException e) {
            return new Support("uprobe_multi", false, "a kprobe program with expected attach type uprobe_multi does not load ("
                    + Errno.describe(e.errno()) + "): kernel older than 6.6");
        }
    }

    /** fentry and fexit: BPF trampolines, probed by loading a tiny fentry program on a function every kernel has. */
    public static Support fentry() {
        Support s = fentry;
        if (s == null) fentry = s = probeFentry();
        return s;
    }

    private static Support probeFentry() {
        String target = "do_sys_openat2";
        int id;
        try {
            id = TracingLink.functionId(target).orElse(-1);
        } catch (NotSupportedException e) {
            return new Support("fentry/fexit", false, e.getMessage().substring("fentry/fexit: ".length()));
        }
        if (id < 0) return new Support("fentry/fexit", false, "vmlinux BTF has no function " + target + " to probe with");
        byte[] insns = Program.builder().mov64(Reg.R0, 0).exit().build().encode();
        try (KernelProgram p = KernelProgram.load("probe_fentry", ProgramType.TRACING, insns, "GPL",
                LinkCreate.BPF_TRACE_FENTRY, id)) {
            return new Support("fentry/fexit", true, "");
        } catch (VerifierException e) {
            return new Support("fentry/fexit", false, refusal(e.errno(), e.reason()));
        } catch (BpfException e) {
            return new Support("fentry/fexit", false, refusal(e.errno(), null));
        }
    }

    /** Why a tracing program load failed with {@code errno}, in a user's words. */
    static String refusal(int errno, String verifierReason) {
        String why = "the kernel refuses to load BPF_PROG_TYPE_TRACING programs (BPF_PROG_LOAD: " + Errno.describe(errno) + ")";
        if (errno == Errno.EPERM)
            why += org.bpf4j.sys.Privileges.canTrace()
                    ? " although this process has the privileges and loads other program types"
                    : ": run as root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)";
        else if (errno == Errno.ENOTSUPP || errno == Errno.EOPNOTSUPP)
            why += ": no BPF trampoline support on this architecture or configuration";
        if (verifierReason != null && !verifierReason.isEmpty()) why += ": " + verifierReason;
        return why;
    }
}
