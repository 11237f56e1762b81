package org.bpf4j.fuzz;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every input a fuzzing run found failing (kept under src/test/resources/fuzz/PARSER/, as scripts/fuzz.sh saved it)
 * now ends in a result or a typed error: a StackOverflowError, an internal exception, Java's wording or a hang
 * would each fail here.
 */
class FuzzRegressionTest {
    static final Path ROOT = Path.of("src/test/resources/fuzz");

    static Stream<Path> inputs() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".in")).sorted().toList();
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void foundInputEndsInATypedError(Path input) throws IOException {
        FuzzTarget target = Targets.byName(input.getParent().getFileName().toString().replace('-', ' '));
        String failure = new Fuzzer(target, 10_000).replay(Files.readAllBytes(input));
        assertNull(failure, input + ": " + failure);
    }
}
