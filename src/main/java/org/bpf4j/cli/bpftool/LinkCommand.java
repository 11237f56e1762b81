package org.bpf4j.cli.bpftool;

import org.bpf4j.UserException;
import org.bpf4j.link.LinkInfo;
import org.bpf4j.sys.BpfCmd;
import org.bpf4j.sys.Fd;
import org.bpf4j.sys.Privileges;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bpf4j link}: bpftool's link verbs. */
@Command(name = "link", mixinStandardHelpOptions = true, description = "Inspect BPF links, as bpftool link.",
        subcommands = {LinkCommand.Show.class})
public final class LinkCommand extends VerbGroup {
    @Override
    String verbs() { return "show or list"; }

    /** {@code link show [id N]}, also {@code link list}. */
    @Command(name = "show", aliases = "list", mixinStandardHelpOptions = true, description = "Show every link, or one by id.")
    static final class Show implements Callable<Integer> {
        @CommandLine.ParentCommand LinkCommand parent;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = "id N")
        List<String> args = new ArrayList<>();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Privileges.requireBpf("link show");
            var out = spec.commandLine().getOut();
            if (args.isEmpty()) {
                parent.output.print(out, Inspect.links(), false, LinkFormat::text, LinkFormat::json);
                return 0;
            }
            if (!args.getFirst().equals("id")) throw new UserException("link show: expected id, got '" + args.getFirst() + "'");
            Selector s = Selector.parse(args, 0, "link show", false);
            try (Fd fd = Inspect.require(BpfCmd.LINK_GET_FD_BY_ID, Integer.parseUnsignedInt(s.value()), "link")) {
                parent.output.print(out, List.of(LinkInfo.read(fd.value())), true, LinkFormat::text, LinkFormat::json);
            }
            return 0;
        }
    }
}
