package org.bpf4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bpf4j vm}: bpf4j's userspace eBPF virtual machine (verifier, interpreter, JIT). */
@Command(name = "vm", mixinStandardHelpOptions = true,
        description = "Run or verify an eBPF program in the JVM, without a kernel.",
        subcommands = {VmRunCommand.class, VmVerifyCommand.class, CommandLine.HelpCommand.class})
final class VmCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (run or verify)");
    }
}
