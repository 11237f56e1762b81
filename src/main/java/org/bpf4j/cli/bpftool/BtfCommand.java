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
        subcommands = {BtfCommand.Show.class, BtfCommand.Dump.class})
public final class BtfCommand extends VerbGroup {
    @Override
    String verbs() { return "show, list or dump"; }

    static String text(Inspect.BtfView b) {
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toUnsignedString(b.id())).append(": ");
        if (b.kernel()) sb.append("name [").append(b.name()).append("]  ");
        else sb.append("name ").append(b.name().isEmpty() ? "<anon>" : b.name()).append("  ");
        sb.append("size ").append(Integer.toUnsignedString(b.size())).append('B');
        for (int i = 0; i < b.progIds().size(); i++) sb.append(i == 0 ? "  prog_ids " : ",").append(b.progIds().get(i));
        for (int i = 0; i < b.mapIds().size(); i++) sb.append(i == 0 ? "  map_ids " : ",").append(b.mapIds().get(i));
        return sb.append('\n').toString();
    }

    static void json(Inspect.BtfView b, Json j) {
        j.beginObject();
        j.name("id").unsigned(Integer.toUnsignedLong(b.id()));
        j.name("size").unsigned(Integer.toUnsignedLong(b.size()));
        j.name("prog_ids").beginArray();
        for (int id : b.progIds()) j.value(id);
        j.endArray();
        j.name("map_ids").beginArray();
        for (int id : b.mapIds()) j.value(id);
        j.endArray();
        j.field("kernel", b.kernel());
        if (!b.name().isEmpty()) j.field("name", b.name());
        j.endObject();
    }

    /** {@code btf show|list [id N]}. */
    @Command(name = "show", aliases = "list", mixinStandardHelpOptions = true,
            description = "Show every BTF object, or one by id, with the programs and maps that use it.")
    static final class Show implements Callable<Integer> {
        @CommandLine.ParentCommand BtfCommand parent;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = "id N")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            org.bpf4j.sys.Privileges.requireBpf("btf show");
            List<Inspect.BtfView> all = Inspect.btfs();
            if (args.isEmpty()) {
                parent.output.print(spec.commandLine().getOut(), all, false, BtfCommand::text, BtfCommand::json);
                return 0;
            }
            if (!args.getFirst().equals("id")) throw new UserException("btf show: expected id, got '" + args.getFirst() + "'");
            Selector s = Selector.parse(args, 0, "btf show", false);
            int id = Integer.parseUnsignedInt(s.value());
            Inspect.BtfView b = all.stream().filter(v -> v.id() == id).findFirst()
                    .orElseThrow(() -> new UserException("BTF id " + id + ": no such BTF object"));
            parent.output.print(spec.commandLine().getOut(), List.of(b), true, BtfCommand::text, BtfCommand::json);
            return 0;
        }
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
            PrintWriter out = spec.commandLine().getOut();
            if (c) CDump.header(btf, out);
            else RawDump.dump(btf, out);
            out.flush();
            return 0;
        }
    }
}
