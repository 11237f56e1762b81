package org.bpf4j.cli;

import org.bpf4j.tool.Args;
import org.bpf4j.tools.CliTool;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs a BCC tool ({@link CliTool}) as {@code bpf4j NAME ARGS}: argparse's help and errors (status 2), then the tool
 * writing to standard output through a 64 KiB buffer that it flushes when the waiting events are printed, until
 * Ctrl-C or SIGTERM, which close everything before the process exits 0.
 */
final class ToolRunner {
    private ToolRunner() {}

    /** Runs {@code tool} with {@code argv}; returns the exit status. */
    static int main(CliTool tool, List<String> argv, PrintWriter out, PrintWriter err) {
        Args.Parsed parsed;
        try {
            parsed = tool.args().parse(argv);
        } catch (Args.Exit x) {
            out.print(x.out());
            err.print(x.err());
            return x.status();
        }
        PrintStream stdout = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false,
                StandardCharsets.UTF_8);
        Shutdown.install();
        try {
            return tool.run(parsed, stdout, Shutdown::requested);
        } finally {
            stdout.flush();
            Shutdown.finished();
        }
    }
}
