package org.bpf4j.cli.bpftool;

import org.bpf4j.UserException;
import org.bpf4j.btf.Btf;
import org.bpf4j.btf.CDump;
import org.bpf4j.btf.RawDump;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bpf4j btf}: bpftool's BTF verbs. */
@Command(name = "btf", mixinStandardHelpOptions = true, description = "Dump BTF type information, as bpftool btf.",
        subcommands = {BtfCommand.Dump.class})
public final class BtfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "btf: expected dump");
    }

    /** {@code btf dump file FILE|id N [format raw|c]}. */
    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print BTF in bpftool's raw format, or as C declarations (format c: a vmlinux.h).")
    static final class Dump implements Callable<Integer> {
        @Parameters(arity = "2..4", paramLabel = "ARG", description = "file FILE | id N  [format raw|c]")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Btf btf = switch (args.getFirst()) {
                case "file" -> {
                    Path file = Path.of(args.get(1));
                    if (!Files.exists(file)) throw new UserException("btf dump: " + file + ": no such file");
                    // a module's BTF in /sys/kernel/btf is split BTF on top of vmlinux
                    boolean module = file.toAbsolutePath().normalize().getParent() != null
                            && file.toAbsolutePath().normalize().getParent().equals(Path.of("/sys/kernel/btf"))
                            && !file.getFileName().toString().equals("vmlinux");
                    yield module ? Btf.module(file.getFileName().toString()) : file.normalize().equals(Path.of("/sys/kernel/btf/vmlinux")) ? Btf.vmlinux() : Btf.read(file, null);
                }
                case "id" -> {
                    int id;
                    try {
                        id = Integer.parseUnsignedInt(args.get(1));
                    } catch (NumberFormatException e) {
                        throw new UserException("btf dump: id '" + args.get(1) + "' is not a number");
                    }
                    yield Btf.byId(id);
                }
                default -> throw new UserException("btf dump: expected file or id, got '" + args.getFirst() + "'");
            };
            boolean c = false;
            if (args.size() > 2) {
                if (!args.get(2).equals("format")) throw new UserException("btf dump: unexpected '" + args.get(2) + "' (expected format)");
                if (args.size() < 4) throw new UserException("btf dump: format needs raw or c");
                c = switch (args.get(3)) {
                    case "raw" -> false;
                    case "c" -> true;
                    default -> throw new UserException("btf dump: unknown format '" + args.get(3) + "' (expected raw or c)");
                };
            }
            PrintWriter out = spec.commandLine().getOut();
            if (c) CDump.header(btf, out);
            else RawDump.dump(btf, out);
            out.flush();
            return 0;
        }
    }
}
