package org.bpf4j.stacks;

import org.bpf4j.jvm.CodeMap;
import org.bpf4j.jvm.PerfMaps;
import org.bpf4j.tool.Tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * HotSpot's {@code compiled__method__load} and {@code compiled__method__unload} probes (in every libjvm.so, no flag
 * needed) as a fragment of a tool's script, and their events fed to {@link StackSymbols}: code the JIT compiles or
 * frees while a profile runs is named as it was at each sample. The probe's strings are (pointer, length), read by
 * length in 63-byte pieces (class names up to 189 bytes, method names up to 63).
 */
public final class JitProbes {
    private JitProbes() {}

    private record Load(long pid, long start, long size, String c0, String c1, String c2, String method) {}

    private record Unload(long pid, String c0, String c1, String c2, String method) {}

    /**
     * The libjvm.so files to probe, as paths seen from here (through {@code /proc/PID/root}, so a JVM in a container
     * is probed in its own file): process {@code pid}'s, or with {@code pid} 0 every running JVM's, one per file.
     */
    public static List<Path> libjvms(int pid) {
        Map<String, Path> byFile = new LinkedHashMap<>();
        List<Integer> pids = new ArrayList<>();
        if (pid > 0) pids.add(pid);
        else {
            try (Stream<Path> s = Files.list(Path.of("/proc"))) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                        .forEach(n -> pids.add(Integer.parseInt(n)));
            } catch (IOException e) {
                return List.of();
            }
        }
        for (int p : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(p), "maps"))) {
                    if (!line.endsWith("/libjvm.so")) continue;
                    String[] f = line.trim().split("\\s+", 6);
                    String key = f[3] + ":" + f[4]; // device and inode: one probe per file
                    Path here = PerfMaps.inRoot(p, f[5]), host = Path.of(f[5]);
                    // the host's path when it is the same file: a /proc/PID path goes when that JVM exits
                    if (Files.isRegularFile(host) && Files.isRegularFile(here) && Files.isSameFile(host, here)) here = host;
                    if (Files.isRegularFile(here)) byFile.putIfAbsent(key, here);
                    break;
                }
            } catch (IOException | RuntimeException e) {
                // gone, or not ours to read
            }
        }
        return List.copyOf(byFile.values());
    }

    /** The script's probes on {@code libjvms}, for the process {@code pid} only (0: all). */
    public static String script(List<Path> libjvms, int pid) {
        if (libjvms.isEmpty()) return "";
        String filter = pid > 0 ? " /pid == " + pid + "/" : "";
        StringBuilder load = new StringBuilder(), unload = new StringBuilder();
        for (Path p : libjvms) {
            load.append(load.isEmpty() ? "" : ", ").append("usdt:").append(p).append(":hotspot:compiled__method__load");
            unload.append(unload.isEmpty() ? "" : ", ").append("usdt:").append(p).append(":hotspot:compiled__method__unload");
        }
        return """
                %s%s {
                    print((pid, arg6, arg7, %s, str(arg2, arg3)));
                }
                %s%s {
                    print((pid, %s, str(arg2, arg3)));
                }
                """.formatted(load, filter, pieces("arg0", "arg1"), unload, filter, pieces("arg0", "arg1"));
    }

    private static String pieces(String ptr, String len) {
        return "str(%1$s, %2$s), str(%1$s + 63, %2$s > 63 ? %2$s - 63 : 0), str(%1$s + 126, %2$s > 126 ? %2$s - 126 : 0)"
                .formatted(ptr, len);
    }

    /** Binds the probes' events to {@code symbols}; call before {@link Tool#start} when the script has them. */
    public static void bind(Tool tool, StackSymbols symbols) {
        tool.on(Load.class, e -> symbols.javaLoad((int) e.pid(), e.start(), e.size(),
                CodeMap.probeName(e.c0() + e.c1() + e.c2(), e.method())));
        tool.on(Unload.class, e -> symbols.javaUnload((int) e.pid(), CodeMap.probeName(e.c0() + e.c1() + e.c2(), e.method())));
    }
}
