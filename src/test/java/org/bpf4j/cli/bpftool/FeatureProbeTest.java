package org.bpf4j.cli.bpftool;

import org.bpf4j.asm.Helper;
import org.bpf4j.features.Features;
import org.bpf4j.prog.ProgramType;
import org.bpf4j.testing.Bpftool;
import org.bpf4j.testing.Kernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code feature probe} against bpftool's on this kernel. The sections are the same text, except that we know
 * newer program and map types (extra lines) and that we read the kernel's "program of this type cannot use
 * helper" rejection, which bpftool 7.1 does not recognise (it lists every helper for every type): our helper lists
 * are therefore subsets of bpftool's, checked here, and right where it matters, checked by name.
 */
@Tag("kernel")
class FeatureProbeTest {
    /** Sections of the text output by their "Scanning ..." heading, each a list of lines. */
    static Map<String, List<String>> sections(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("Scanning ")) out.put(line, current = new ArrayList<>());
            else if (current != null && !line.isEmpty()) current.add(line);
        }
        return out;
    }

    /** The helper lines per "eBPF helpers supported for program type X:" header. */
    static Map<String, List<String>> helpers(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String l : lines) {
            if (l.startsWith("eBPF helpers supported")) out.put(l, current = new ArrayList<>());
            else current.add(l);
        }
        return out;
    }

    @Test
    void sameSectionsAsBpftool() {
        Kernel.require();
        Map<String, List<String>> theirs = sections(Bpftool.run("feature", "probe", "kernel"));
        Map<String, List<String>> ours = sections(Cli.ok("feature", "probe", "kernel"));
        assertEquals(List.copyOf(theirs.keySet()), List.copyOf(ours.keySet()));
        for (String exact : List.of("Scanning system configuration...", "Scanning system call availability...",
                "Scanning miscellaneous eBPF features..."))
            assertEquals(theirs.get(exact), ours.get(exact), exact);
        for (String types : List.of("Scanning eBPF program types...", "Scanning eBPF map types...")) {
            List<String> mine = ours.get(types);
            assertEquals(theirs.get(types), mine.subList(0, theirs.get(types).size()), types);
            for (String extra : mine.subList(theirs.get(types).size(), mine.size()))
                assertFalse(String.join("\n", theirs.get(types)).contains(extra.replaceAll(" is .*", " ")), extra);
        }
        Map<String, List<String>> theirHelpers = helpers(theirs.get("Scanning eBPF helper functions..."));
        Map<String, List<String>> ourHelpers = helpers(ours.get("Scanning eBPF helper functions..."));
        for (var e : theirHelpers.entrySet()) {
            List<String> mine = ourHelpers.get(e.getKey());
            assertNotNull(mine, e.getKey());
            if (e.getValue().size() == 1 && (e.getValue().getFirst().startsWith("\tProgram type") || e.getValue().getFirst().startsWith("\tCould not")))
                assertEquals(e.getValue(), mine, e.getKey());
            else
                assertTrue(e.getValue().containsAll(mine) && !mine.isEmpty(), e.getKey() + ": " + mine);
        }
        List<String> kprobe = ourHelpers.get("eBPF helpers supported for program type kprobe:");
        List<String> sched = ourHelpers.get("eBPF helpers supported for program type sched_cls:");
        assertTrue(kprobe.contains("\t- bpf_probe_read_kernel") && kprobe.contains("\t- bpf_get_current_pid_tgid"), kprobe.toString());
        assertFalse(kprobe.contains("\t- bpf_skb_store_bytes"), "a kprobe has no packet to write");
        assertTrue(sched.contains("\t- bpf_skb_store_bytes"));
    }

    @Test
    void jsonHasBpftoolsKeysAndValues() {
        Kernel.require();
        String theirs = Bpftool.run("-j", "feature", "probe");
        String ours = Cli.ok("feature", "probe", "-j");
        // everything up to the helpers object is the same, except for the types bpftool does not know
        // (true on the host's kernel, false on older ones such as 6.1 in the kernel matrix)
        String head = ours.substring(0, ours.indexOf("\"helpers\""))
                .replaceAll(",\"have_(netfilter_prog|cgrp_storage_map|arena_map)_type\":(true|false)", "");
        assertEquals(theirs.substring(0, theirs.indexOf("\"helpers\"")), head);
        assertEquals(theirs.substring(theirs.indexOf("\"misc\"")), ours.substring(ours.indexOf("\"misc\"")));
    }

    @Test
    void probesAnswerLikeTheKernel() {
        Kernel.require();
        assertTrue(Features.programType(ProgramType.KPROBE), "the program type loads even without CONFIG_KPROBES");
        // tracing (fentry) programs load or not as bpftool finds on this kernel (EPERM on this machine kind)
        assertEquals(Bpftool.run("-j", "feature", "probe").contains("\"have_tracing_prog_type\":true"),
                Features.programType(ProgramType.TRACING));
        assertEquals(Optional.empty(), Features.helper(ProgramType.TRACING, Helper.MAP_LOOKUP_ELEM.id()));
        assertEquals(Optional.of(false), Features.helper(ProgramType.SOCKET_FILTER, Helper.byName("probe_read").orElseThrow().id()));
        assertEquals(Optional.of(true), Features.helper(ProgramType.TRACEPOINT, Helper.byName("get_current_comm").orElseThrow().id()));
        assertTrue(Features.isaV3() && Features.boundedLoops() && Features.largeInstructionLimit());
    }
}
