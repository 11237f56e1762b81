package org.bpf4j.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for long-running commands: the first signal asks the command's loop to stop, the loop
 * closes every link, program and map once and returns, and the process exits 0. A shutdown hook waits for that
 * clean-up when the JVM is ended some other way.
 */
final class Shutdown {
    private static volatile boolean requested;
    private static final CountDownLatch done = new CountDownLatch(1);

    private Shutdown() {}

    /** Installs the handlers; call once, before attaching anything. */
    @SuppressWarnings("removal")
    static void install() {
        // a shell starts background commands with SIGINT ignored; as bpftrace, we still stop on it
        for (int sig : new int[] {2 /* SIGINT */, 15 /* SIGTERM */}) {
            try {
                org.bpf4j.sys.Syscalls.unignoreSignal(sig);
            } catch (RuntimeException ignored) {
                // keep the disposition we were given
            }
        }
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> requested = true);
            } catch (IllegalArgumentException e) {
                // the signal is in use by the VM: the shutdown hook below still covers it
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            requested = true;
            try {
                done.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "bpf4j-shutdown"));
    }

    /** Asks the command's loop to stop, as a signal would (the training run ends killsnoop so). */
    static void request() { requested = true; }

    /** True once a stop was asked for. */
    static boolean requested() { return requested; }

    /** The command has closed everything. */
    static void finished() { done.countDown(); }
}
