package org.bpf4j.cli;

import org.bpf4j.UserException;
import org.bpf4j.elf.CollectionSpec;
import org.bpf4j.elf.ObjectFile;
import org.bpf4j.elf.gen.JavaGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code bpf4j gen OBJ -p PACKAGE [-c CLASS] [-d DIR]}: one Java class for a BPF object ({@link JavaGenerator}),
 * written under DIR in its package's directory, with the object copied beside it as the class path resource the
 * class loads. Point DIR at a build's generated sources (target/...), not at sources kept in git.
 */
@Command(name = "gen", mixinStandardHelpOptions = true,
        description = "Generate a Java class for a BPF object file: typed programs, maps, variables and structs.")
final class GenCommand implements Callable<Integer> {
    @Parameters(paramLabel = "OBJ", description = "the object (clang -target bpf -c)")
    Path object;

    @Option(names = {"-p", "--package"}, description = "the Java package (default: none)")
    String pkg = "";

    @Option(names = {"-c", "--class"}, description = "the class name (default: the object's name in Pascal case)")
    String cls;

    @Option(names = {"-d", "--directory"}, description = "where the package's directory goes (default: .)")
    Path dir = Path.of(".");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!pkg.isEmpty() && !pkg.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*"))
            throw new UserException("gen: '" + pkg + "' is not a Java package name");
        CollectionSpec s = ObjectFile.read(object);
        String name = cls == null ? JavaGenerator.className(s) : cls;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new UserException("gen: '" + name + "' is not a Java class name");
        String resource = object.getFileName().toString();
        String source = JavaGenerator.generate(s, pkg, name, resource);
        Path out = pkg.isEmpty() ? dir : dir.resolve(pkg.replace('.', '/'));
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve(name + ".java"), source);
            Files.copy(object, out.resolve(resource), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserException("gen: cannot write under " + out + ": " + e.getMessage(), e);
        }
        spec.commandLine().getOut().println(out.resolve(name + ".java"));
        spec.commandLine().getOut().println(out.resolve(resource));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
