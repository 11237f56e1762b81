package org.bpf4j.tools;

import org.bpf4j.UserException;
import org.bpf4j.sys.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * memleak's {@code -c COMMAND}: the command is started stopped (a shell that stops itself, then execs it, so the
 * pid stays), traced, then resumed, so that none of its allocations happen before the probes are attached (BCC
 * starts it and attaches while it runs). The command line is split on spaces, as BCC splits it.
 */
final class MemleakCommand {
    private static final int SIGCONT = 18;

    private MemleakCommand() {}

    /** Starts {@code command} stopped before its exec; its pid is the command's. */
    static Process startStopped(String command) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$ && exec \"$@\"", "sh"));
        for (String w : command.trim().split(" +")) if (!w.isEmpty()) argv.add(w);
        if (argv.size() == 4) throw new UserException("memleak: -c needs a command");
        Process p;
        try {
            p = new ProcessBuilder(argv).inheritIO().start();
        } catch (IOException e) {
            throw new UserException("memleak: cannot run '" + command + "': " + e.getMessage());
        }
        long end = System.nanoTime() + 5_000_000_000L;
        while (!stopped(p.pid())) {
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                throw new UserException("memleak: '" + command + "' did not start");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return p;
    }

    /** Lets the command run (its exec follows). */
    static void resume(Process p) {
        Syscalls.kill((int) p.pid(), SIGCONT);
    }

    /** Whether the process is stopped (state T in /proc/PID/stat, after the command name in parentheses). */
    private static boolean stopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }
}
