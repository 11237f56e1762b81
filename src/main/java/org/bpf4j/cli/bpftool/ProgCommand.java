package org.bpf4j.cli.bpftool;

import org.bpf4j.UserException;
import org.bpf4j.prog.ProgramInfo;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.FdInfo;
import org.bpf4j.sys.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bpf4j prog}: bpftool's program verbs. */
@Command(name = "prog", mixinStandardHelpOptions = true, description = "Inspect BPF programs, or load them from an object file, as bpftool prog.",
        subcommands = {ProgCommand.Show.class, ProgCommand.Dump.class, ProgLoadCommand.Load.class,
                ProgLoadCommand.LoadAll.class})
public final class ProgCommand extends VerbGroup {
    @Override
    String verbs() { return "show, list, dump, load or loadall"; }

    static String[] nameAndTag(Fd fd) {
        ProgramInfo i = ProgramInfo.read(fd.value());
        return new String[] {Inspect.fullName(i), i.tag()};
    }

    /** Opens the programs a selector names, checking that a pinned object is a program. */
    static List<Fd> open(Selector s, String what) {
        return s.open(BpfCmd.PROG_GET_NEXT_ID, BpfCmd.PROG_GET_FD_BY_ID, "program", ProgCommand::nameAndTag, what);
    }

    /** {@code prog show [id N | name NAME | tag TAG | pinned PATH]}, also {@code prog list}. */
    @Command(name = "show", aliases = "list", mixinStandardHelpOptions = true,
            description = "Show every program, or the ones selected by id, name, tag or pinned path.")
    static final class Show implements Callable<Integer> {
        @CommandLine.ParentCommand ProgCommand parent;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = "id N | name NAME | tag TAG | pinned PATH")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Privileges.requireBpf("prog show");
            PrintWriter out = spec.commandLine().getOut();
            if (args.isEmpty()) {
                parent.output.print(out, Inspect.programs(), false, ProgFormat::text, ProgFormat::json);
                return 0;
            }
            Selector s = Selector.parse(args, 0, "prog show", true);
            if (args.size() > s.used()) throw new UserException("prog show: unexpected '" + args.get(s.used()) + "'");
            List<Inspect.Prog> progs = new ArrayList<>();
            List<Fd> fds = open(s, "prog show");
            try {
                for (Fd fd : fds) progs.add(Inspect.program(fd));
            } finally {
                fds.forEach(Fd::close);
            }
            parent.output.print(out, progs, progs.size() == 1, ProgFormat::text, ProgFormat::json);
            return 0;
        }
    }

    /** {@code prog dump xlated|jited PROG [opcodes] [file FILE]}. */
    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print a program's translated instructions (xlated) or its JIT-compiled bytes (jited).")
    static final class Dump implements Callable<Integer> {
        @CommandLine.ParentCommand ProgCommand parent;
        @Parameters(arity = "3..6", paramLabel = "ARG", description = "xlated|jited  id N | name NAME | tag TAG | pinned PATH  [opcodes] [file FILE]")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String kind = args.getFirst();
            if (!kind.equals("xlated") && !kind.equals("jited"))
                throw new UserException("prog dump: expected xlated or jited, got '" + kind + "'");
            String what = "prog dump " + kind;
            Selector s = Selector.parse(args, 1, what, true);
            boolean opcodes = false;
            String file = null;
            for (int i = 1 + s.used(); i < args.size(); i++) {
                switch (args.get(i)) {
                    case "opcodes" -> opcodes = true;
                    case "file" -> {
                        if (i + 1 >= args.size()) throw new UserException(what + ": file needs a path");
                        file = args.get(++i);
                    }
                    default -> throw new UserException(what + ": unexpected '" + args.get(i) + "' (expected opcodes or file FILE)");
                }
            }
            Privileges.requireBpf("prog dump");
            PrintWriter out = spec.commandLine().getOut();
            List<Fd> fds = open(s, what);
            try {
                if (fds.size() > 1 && file != null) throw new UserException(what + ": " + s.keyword() + " " + s.value() + " matches " + fds.size() + " programs; file needs one");
                boolean array = parent.output.json() && fds.size() > 1;
                Json json = parent.output.writer();
                if (array) json.beginArray();
                for (Fd fd : fds) {
                    ProgramInfo info = ProgramInfo.read(fd.value());
                    byte[] image = kind.equals("jited") ? ProgramInfo.jitedImage(fd.value()) : info.xlated();
                    if (file != null) {
                        java.nio.file.Files.write(java.nio.file.Path.of(file), image);
                        continue;
                    }
                    if (kind.equals("xlated")) {
                        if (parent.output.json()) XlatedDump.json(info, opcodes, json);
                        else out.print(XlatedDump.text(info, opcodes));
                    } else {
                        if (image.length == 0) throw new UserException(what + ": program " + info.id() + " is not JIT-compiled");
                        if (parent.output.json()) JitedDump.json(info, image, json);
                        else out.print(JitedDump.text(info, image));
                    }
                }
                if (array) json.endArray();
                if (parent.output.json() && file == null) out.print(json.text());
            } finally {
                fds.forEach(Fd::close);
            }
            out.flush();
            return 0;
        }
    }
}
