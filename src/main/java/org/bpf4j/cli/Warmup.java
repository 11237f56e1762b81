package org.bpf4j.cli;

/**
 * Start-up: while picocli builds the command's model on the main thread (reflection, a good part of a short
 * run), a second thread loads and initialises the classes the compiler and the runtime will need, so that the
 * two overlap on a machine with more than one CPU. Nothing it does has an effect but loading classes.
 */
final class Warmup {
    private static final String[] CLASSES = {
        "org.bpf4j.lang.syntax.Parser", "org.bpf4j.lang.syntax.Scanner", "org.bpf4j.lang.syntax.TokenKind",
        "org.bpf4j.lang.syntax.Expr", "org.bpf4j.lang.syntax.Stmt", "org.bpf4j.lang.sema.Checker",
        "org.bpf4j.lang.sema.Calls", "org.bpf4j.lang.sema.Builtins", "org.bpf4j.lang.sema.Type",
        "org.bpf4j.lang.sema.Attach", "org.bpf4j.lang.sema.ProbeCatalog", "org.bpf4j.lang.codegen.Compiler",
        "org.bpf4j.lang.codegen.ProbeCompiler", "org.bpf4j.lang.codegen.ExprCompiler", "org.bpf4j.lang.codegen.CallCompiler",
        "org.bpf4j.lang.codegen.DeadCode", "org.bpf4j.asm.Program", "org.bpf4j.asm.Instruction", "org.bpf4j.asm.Helper",
        "org.bpf4j.asm.AluOp", "org.bpf4j.asm.JmpOp", "org.bpf4j.asm.Rules", "org.bpf4j.asm.Codec",
        "org.bpf4j.lang.runtime.Session", "org.bpf4j.lang.runtime.Values", "org.bpf4j.lang.runtime.MapPrinter",
        "org.bpf4j.map.KernelMap", "org.bpf4j.prog.KernelProgram", "org.bpf4j.perf.PerfBuffer", "org.bpf4j.perf.PerfEvent",
        "org.bpf4j.sys.Native", "org.bpf4j.sys.Syscalls", "org.bpf4j.sys.Epoll", "org.bpf4j.link.TracepointLink",
        "org.bpf4j.link.PerfAttachment", "org.bpf4j.tracefs.Tracefs", "org.bpf4j.tracefs.EventFormat"};

    private Warmup() {}

    static void start() {
        Thread t = new Thread(() -> {
            ClassLoader loader = Warmup.class.getClassLoader();
            for (String c : CLASSES) {
                try {
                    Class.forName(c, true, loader);
                } catch (ClassNotFoundException | LinkageError ignored) {
                    // only a head start: the main thread loads it anyway
                }
            }
        }, "bpf4j-warmup");
        t.setDaemon(true);
        t.start();
    }
}
