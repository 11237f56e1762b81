package org.bpf4j.cli;

import org.bpf4j.sys.Native;

/**
 * Start-up: linking the one system-call downcall handle (FFM generates its code at run time, and the
 * ahead-of-time cache does not keep it) is the largest single cost of a tool's start. A second thread does it at
 * once, while the main thread reads the command line and parses, checks and compiles the script, which need no
 * system call; the main thread waits for it only if it gets there first.
 */
final class Warmup implements Runnable {
    private Warmup() {}

    static void start() {
        // a class rather than a lambda: the first lambda of a run costs about 3 ms to link, on this path
        Thread t = new Thread(new Warmup(), "bpf4j-warmup");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            Native.getpid();
        } catch (LinkageError | RuntimeException ignored) {
            // the main thread meets the same error where it can report it
        }
    }
}
