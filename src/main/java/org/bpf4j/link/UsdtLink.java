package org.bpf4j.link;

import org.bpf4j.prog.KernelProgram;
import org.bpf4j.usdt.UsdtArgument;
import org.bpf4j.usdt.UsdtProbe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A USDT probe: a uprobe on every site of {@code provider:name} in a binary, each with the probe's semaphore
 * (if it has one) as the uprobe's reference counter, so that the kernel increments it in every traced process
 * while the probe is attached and the application's {@code if (PROBE_ENABLED())} guards fire.
 */
public final class UsdtLink implements Link {
    private final String name;
    private final List<UsdtProbe> sites;
    private final List<PerfAttachment> attachments;
    private final List<KernelProgram> programs;

    private UsdtLink(String name, List<UsdtProbe> sites, List<PerfAttachment> attachments, List<KernelProgram> programs) {
        this.name = name;
        this.sites = sites;
        this.attachments = attachments;
        this.programs = programs;
    }

    /**
     * Attaches one kprobe-type program to every site of {@code provider:probe} in {@code binary} (resolved as a
     * uprobe target); {@code pid} -1 traces every process. For a program that does not read arguments, or when
     * every site has the same argument specs.
     */
    public static UsdtLink attach(KernelProgram program, String binary, String provider, String probe, int pid) {
        Path file = UprobeLink.resolveBinary("usdt", binary, pid);
        List<UsdtProbe> sites = UsdtProbe.find(file, provider, probe);
        return attach(sites, pid, args -> program, false);
    }

    /**
     * Attaches to every site of {@code provider:probe}, with one program per distinct argument layout: the compiler
     * emits argument reads for a layout ({@link UsdtArgument#emitLoad}), {@code loader} loads the program, and the
     * link owns and closes the programs it was given.
     */
    public static UsdtLink attach(String binary, String provider, String probe, int pid,
                                  Function<List<UsdtArgument>, KernelProgram> loader) {
        Path file = UprobeLink.resolveBinary("usdt", binary, pid);
        return attach(UsdtProbe.find(file, provider, probe), pid, loader, true);
    }

    private static UsdtLink attach(List<UsdtProbe> sites, int pid, Function<List<UsdtArgument>, KernelProgram> loader,
                                   boolean ownPrograms) {
        UsdtProbe first = sites.getFirst();
        String name = "usdt:" + first.binary() + ":" + first.fullName();
        Map<String, KernelProgram> byLayout = new LinkedHashMap<>();
        List<PerfAttachment> attachments = new ArrayList<>();
        try {
            for (UsdtProbe site : sites) {
                String layout = ownPrograms ? site.layoutKey() : site.argumentText();
                KernelProgram program = byLayout.get(layout);
                if (program == null) {
                    // one given program reads no arguments: an argument spec bpf4j cannot read does not matter then
                    program = loader.apply(ownPrograms ? site.arguments() : List.of());
                    byLayout.put(layout, program);
                }
                attachments.add(UprobeLink.open(program, site.binary(), site.fileOffset(), site.semaphoreOffset(), false,
                        pid, name + String.format("@0x%x", site.address())));
            }
            return new UsdtLink(name, sites, attachments, ownPrograms ? List.copyOf(byLayout.values()) : List.of());
        } catch (RuntimeException e) {
            attachments.forEach(PerfAttachment::close);
            if (ownPrograms) byLayout.values().forEach(KernelProgram::close);
            throw e;
        }
    }

    /** The probe sites attached to. */
    public List<UsdtProbe> sites() { return sites; }

    /** The programs this link loaded through its loader (empty when the caller gave one program). */
    public List<KernelProgram> programs() { return programs; }

    @Override
    public String describe() { return name; }

    @Override
    public void close() {
        attachments.forEach(PerfAttachment::close);
        programs.forEach(KernelProgram::close);
    }
}
