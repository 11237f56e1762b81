package org.bpf4j.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The long fuzzing run (scripts/fuzz.sh): {@code FuzzMain [INPUTS [SEED [TARGET...]]]} tries INPUTS mutated inputs
 * per parser (default 100,000) and prints, per parser, the inputs tried, accepted and refused, and each distinct
 * failure with its first input, which it also saves under target/fuzz/ to become a regression test.
 */
public final class FuzzMain {
    private FuzzMain() {}

    /** Runs the parsers named (all by default); exits 1 when any failed. */
    public static void main(String[] args) throws Exception {
        long inputs = args.length > 0 ? Long.parseLong(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        List<FuzzTarget> targets = args.length > 2
                ? java.util.Arrays.stream(args, 2, args.length).map(Targets::byName).toList() : Targets.all();
        Path out = Path.of("target/fuzz");
        int failed = 0;
        System.out.printf("%-18s %10s %10s %10s %9s %8s%n", "parser", "inputs", "accepted", "refused", "failures", "seconds");
        for (FuzzTarget t : targets) {
            Fuzzer.Result r = new Fuzzer(t, 30_000).run(seed, 0, t.seeds().size() + inputs);
            System.out.printf("%-18s %10d %10d %10d %9d %8.1f%n", t.name(), r.inputs(), r.accepted(), r.refused(), r.failures().size(), r.nanos() / 1e9);
            for (Fuzzer.Failure f : r.failures().values()) {
                failed++;
                Path file = out.resolve(t.name().replace(' ', '-')).resolve(f.index() + ".in");
                Files.createDirectories(file.getParent());
                Files.write(file, f.input());
                System.out.println("    " + f.key() + " (" + f.count() + "x): " + f.detail());
                System.out.println("        input " + f.index() + " (" + file + "): " + f.shown());
            }
            System.out.flush();
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
