package org.bpf4j.tools;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A small C program for the generic tools' uprobe tests: it waits for a line on stdin, then calls
 * {@code work(i % 3 + 1, "bpf4j-tag")} for i below its argument (values 1, 2, 3 in turn; {@code work} returns
 * {@code 2n + 1}), each after the USDT probe {@code bpf4j:step(i, n)}, so a test knows every call's arguments and
 * result before the tool starts.
 */
final class WorkProgram implements AutoCloseable {
    private static final String SOURCE = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/sdt.h>
                        __attribute__((noinline)) int work(int n, const char *tag) {
                __asm__ volatile("" ::: "memory");
                return n * 2 + (tag[0] == 'b');
            }
            int main(int argc, char **argv) {
                static const char tag[] = "bpf4j-tag";
                char line[8];
                if (!fgets(line, sizeof line, stdin)) return 1;
                int n = atoi(argv[1]), s = 0;
                if (((volatile const char *)tag)[0] != 'b') return 2; /* its page is in before a probe reads it */
                for (int i = 0; i < n; i++) {
                    DTRACE_PROBE2(bpf4j, step, i, i % 3 + 1);
                    s += work(i % 3 + 1, tag);
                }
                printf("%d\\n", s);
                return 0;
            }
            """;

    private final Path dir, binary;
    private final Process process;

    private WorkProgram(Path dir, Path binary, Process process) {
        this.dir = dir;
        this.binary = binary;
        this.process = process;
    }

    /** Builds the program with cc and starts it for {@code calls} calls; it waits for {@link #go}. */
    static WorkProgram start(int calls) throws Exception {
        Path dir = Files.createTempDirectory("bpf4j-work");
        Path source = Files.writeString(dir.resolve("work.c"), SOURCE), binary = dir.resolve("work");
        Process cc = new ProcessBuilder("cc", "-O1", "-fno-omit-frame-pointer", "-o", binary.toString(), source.toString()).inheritIO().start();
        assertEquals(0, cc.waitFor(), "cc work.c");
        return new WorkProgram(dir, binary, new ProcessBuilder(binary.toString(), Integer.toString(calls)).start());
    }

    /** The executable's path. */
    Path binary() { return binary; }

    /** The running program's pid. */
    long pid() { return process.pid(); }

    /** Lets it make its calls and waits for it to end. */
    void go() throws Exception {
        try (OutputStream in = process.getOutputStream()) {
            in.write("go\n".getBytes());
        }
        assertEquals(0, process.waitFor());
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly().waitFor();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }
}
