package org.bpf4j.cli.bpftool;

import org.bpf4j.UserException;
import org.bpf4j.elf.Collection;
import org.bpf4j.elf.CollectionSpec;
import org.bpf4j.elf.ObjectFile;
import org.bpf4j.map.KernelMap;
import org.bpf4j.prog.KernelProgram;
import org.bpf4j.sys.BpfFs;
import org.bpf4j.sys.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code prog load OBJ PATH} and {@code prog loadall OBJ PATH}, as bpftool: load a clang-built object with bpf4j's
 * own loader ({@link ObjectFile}, {@link Collection}) and pin its first program at PATH, or every program under
 * the directory PATH by name; {@code pinmaps DIR} pins its maps there too. The pins keep the objects alive after
 * the command exits; on any failure the pins made so far are removed.
 */
final class ProgLoadCommand {
    private ProgLoadCommand() {}

    /** {@code prog load OBJ PATH [pinmaps DIR]}. */
    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Load a BPF object file (clang -target bpf) and pin its first program at PATH, as bpftool prog load.")
    static final class Load implements Callable<Integer> {
        @Parameters(arity = "2..4", paramLabel = "ARG", description = "OBJ PATH [pinmaps MAP_DIR]")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() { return run("prog load", args, false); }
    }

    /** {@code prog loadall OBJ PATH [pinmaps DIR]}. */
    @Command(name = "loadall", mixinStandardHelpOptions = true,
            description = "Load a BPF object file and pin every program under the directory PATH, as bpftool prog loadall.")
    static final class LoadAll implements Callable<Integer> {
        @Parameters(arity = "2..4", paramLabel = "ARG", description = "OBJ PATH [pinmaps MAP_DIR]")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() { return run("prog loadall", args, true); }
    }

    private static int run(String verb, List<String> args, boolean all) {
        Path obj = Path.of(args.get(0)), path = Path.of(args.get(1)).toAbsolutePath();
        Path mapDir = null;
        for (int i = 2; i < args.size(); i++) {
            if (args.get(i).equals("pinmaps") && i + 1 < args.size()) mapDir = Path.of(args.get(++i)).toAbsolutePath();
            else throw new UserException(verb + ": unexpected '" + args.get(i) + "' (expected pinmaps MAP_DIR)");
        }
        CollectionSpec spec = ObjectFile.read(obj);
        Privileges.requireBpf(verb);
        List<Path> pinned = new ArrayList<>();
        List<Path> made = new ArrayList<>();
        try (Collection c = Collection.load(spec)) {
            if (c.programs().isEmpty()) throw new UserException(verb + ": " + obj + " has no program to load");
            if (all) {
                mkdir(path, made, verb);
                for (Map.Entry<String, KernelProgram> p : c.programs().entrySet()) pin(p.getValue(), path.resolve(p.getKey()), pinned);
            } else {
                pin(c.programs().values().iterator().next(), path, pinned);
            }
            if (mapDir != null) {
                mkdir(mapDir, made, verb);
                for (KernelMap m : c.maps().values()) {
                    Path p = mapDir.resolve(m.spec().name().replace('.', '_')); // bpffs refuses dots, as libbpf knows
                    m.pin(p);
                    pinned.add(p);
                }
            }
            pinned.clear();
            made.clear();
            return 0;
        } finally {
            for (Path p : pinned) BpfFs.unpin(p);
            for (Path d : made.reversed()) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException ignored) {
                    // not empty: something else was put there meanwhile
                }
            }
        }
    }

    private static void pin(KernelProgram p, Path at, List<Path> pinned) {
        p.pin(at);
        pinned.add(at);
    }

    private static void mkdir(Path dir, List<Path> made, String verb) {
        if (Files.isDirectory(dir)) return;
        if (Files.exists(dir)) throw new UserException(verb + ": " + dir + " exists and is not a directory");
        BpfFs.ensureMounted();
        try {
            Files.createDirectory(dir);
            made.add(dir);
        } catch (IOException e) {
            throw new UserException(verb + ": cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
