package org.bpf4j.fuzz;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The short fuzzing run of ./test: for every parser a user feeds, its seeds and then a fixed, seeded set of mutated
 * inputs, each bounded in time, must each end in a result or one of the parser's typed errors in bpf4j's words.
 * The long run (scripts/fuzz.sh) tries many more; what it finds becomes a regression test here or beside the parser.
 */
class FuzzTest {
    static final int INPUTS = Integer.getInteger("bpf4j.fuzz.inputs", 2000);

    static List<String> targets() {
        return Targets.all().stream().map(FuzzTarget::name).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyInputEndsInAResultOrATypedError(String name) {
        FuzzTarget target = Targets.byName(name);
        assertFalse(target.seeds().isEmpty(), "no seeds for " + name);
        Fuzzer.Result r = new Fuzzer(target, 30_000).run(15, 0, target.seeds().size() + INPUTS);
        String report = r.failures().values().stream()
                .map(f -> f.key() + " (" + f.count() + "x): " + f.detail() + "\n    input " + f.index() + ": " + f.shown())
                .collect(Collectors.joining("\n"));
        assertTrue(r.failures().isEmpty(), name + ": " + r.failures().size() + " distinct failures in " + r.inputs() + " inputs\n" + report);
        // the mutations must reach past the parser's first check: some inputs pass, some are refused
        assertTrue(r.accepted() > 0 && r.refused() > 0, name + ": accepted " + r.accepted() + ", refused " + r.refused());
    }
}
