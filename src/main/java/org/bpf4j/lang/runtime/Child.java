package org.bpf4j.lang.runtime;

import org.bpf4j.UserException;
import org.bpf4j.sys.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of {@code -c}: started stopped (a shell that stops itself and then execs the command, so the pid
 * stays the command's), resumed once the probes are attached; tracing ends when it exits.
 */
public final class Child implements AutoCloseable {
    private static final int SIGCONT = 18;
    private final Process process;

    private Child(Process process) { this.process = process; }

    /** Starts {@code command} (split at white space, as bpftrace does) stopped before its first instruction. */
    public static Child start(String command) {
        List<String> words = new ArrayList<>();
        for (String w : command.strip().split("\\s+")) if (!w.isEmpty()) words.add(w);
        if (words.isEmpty()) throw new UserException("-c needs a command");
        return start(words, command);
    }

    /** Starts the command {@code words} (its argv, as given: syscount's {@code --exec}) stopped, as {@link #start(String)}. */
    public static Child start(List<String> words) {
        if (words.isEmpty()) throw new UserException("no command to run");
        return start(words, String.join(" ", words));
    }

    private static Child start(List<String> words, String command) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$; exec \"$@\"", "sh"));
        argv.addAll(words);
        try {
            Process p = new ProcessBuilder(argv).inheritIO().start();
            Child c = new Child(p);
            c.awaitStopped();
            return c;
        } catch (IOException e) {
            throw new UserException("cannot run '" + command + "': " + e.getMessage(), e);
        }
    }

    private void awaitStopped() {
        Path stat = Path.of("/proc", String.valueOf(process.pid()), "stat");
        for (int i = 0; i < 2000; i++) {
            try {
                String s = Files.readString(stat);
                char state = s.charAt(s.lastIndexOf(')') + 2);
                if (state == 'T' || state == 't') return;
            } catch (IOException e) {
                throw new UserException("-c: the command exited before it started");
            }
            Thread.onSpinWait();
            if (i > 100) {
                try { Thread.sleep(1); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
            }
        }
    }

    /** The command's process id ({@code cpid}). */
    public long pid() { return process.pid(); }

    /** Lets the command run. */
    public void resume() { Syscalls.kill((int) process.pid(), SIGCONT); }

    /** True once the command has exited. */
    public boolean exited() { return !process.isAlive(); }

    /** Ends the command if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try { Syscalls.kill((int) process.pid(), SIGCONT); } catch (RuntimeException ignored) { /* gone */ }
            process.destroy();
        }
    }
}
