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
            try {
                MapType t = MapType.valueOf(parts[0].trim().toUpperCase(Locale.ROOT));
                out.add(MapSpec.of(nameRest[0].trim(), t, Integer.parseInt(parts[1].trim()), Integer.parseInt(parts[2].trim()),
                        Integer.parseInt(parts[3].trim())));
            } catch (IllegalArgumentException e) {
                throw new UserException("--map " + m + ": " + e.getMessage());
            }
        }
        return out;
    }
}
