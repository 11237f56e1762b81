package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.map.MapSpec;
import org.bpf4j.map.MapType;
import org.bpf4j.prog.ProgramType;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@code vm run} and {@code vm verify} share: the program type and the maps the program uses. */
final class VmOptions {
    @Option(names = "--type", paramLabel = "TYPE", description = "program type, e.g. socket_filter (default), xdp or tracepoint")
    String type = "socket_filter";

    @Option(names = "--map", paramLabel = "NAME=TYPE,KEY,VALUE,MAX",
            description = "a map the program refers to as map[NAME], e.g. counts=hash,4,8,1024 (repeatable)")
    List<String> maps = new ArrayList<>();

    @Option(names = "--max-iterations", paramLabel = "N",
            description = "the most loop iterations (backward jumps) a run may take; a loop proven to end only after more is rejected (default 100000000)")
    long maxIterations = org.bpf4j.vm.verifier.VerifierOptions.ITERATION_LIMIT;

    long maxIterations() {
        if (maxIterations < 0) throw new UserException("--max-iterations: must be 0 or more, not " + maxIterations);
        return maxIterations;
    }

    ProgramType programType() {
        try {
            return ProgramType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("--type: unknown program type '" + type + "'");
        }
    }

    List<MapSpec> mapSpecs() {
        List<MapSpec> out = new ArrayList<>();
        for (String m : maps) {
            String[] nameRest = m.split("=", 2);
            String[] parts = nameRest.length == 2 ? nameRest[1].split(",") : new String[0];
            if (parts.length != 4) throw new UserException("--map " + m + ": expected NAME=TYPE,KEY,VALUE,MAX, e.g. counts=hash,4,8,1024");
            MapType t;
            try {
                t = MapType.valueOf(parts[0].trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserException("--map " + m + ": unknown map type '" + parts[0].trim() + "' (e.g. hash, array, percpu_array, ringbuf)");
            }
            int[] sizes = new int[3];
            String[] what = {"key size", "value size", "max entries"};
            for (int i = 0; i < 3; i++) {
                try {
                    sizes[i] = Integer.parseInt(parts[i + 1].trim());
                } catch (NumberFormatException e) {
                    throw new UserException("--map " + m + ": " + what[i] + " '" + parts[i + 1].trim() + "' is not a number from 0 to " + Integer.MAX_VALUE);
                }
            }
            try {
                out.add(MapSpec.of(nameRest[0].trim(), t, sizes[0], sizes[1], sizes[2]));
            } catch (IllegalArgumentException e) {
                throw new UserException("--map " + m + ": " + e.getMessage());
            }
        }
        return out;
    }
}
