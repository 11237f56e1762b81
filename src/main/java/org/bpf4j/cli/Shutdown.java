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
        // Everything the handlers need is made first: between giving a signal back its default action and handing
        // it to the JVM, a SIGINT would kill the process outright, so nothing may load or link in that window
        // (bpftrace's case "sigint quit" hit it on a busy machine: the tool died without running END).
        sun.misc.SignalHandler handler = s -> requested = true;
        // HUP first (never unignored): its Signal.handle loads what the call needs before INT's window opens
        String[] names = {"HUP", "INT", "TERM"};
        int[] numbers = {1, 2, 15};
        sun.misc.Signal[] signals = new sun.misc.Signal[names.length];
        for (int i = 0; i < names.length; i++) signals[i] = new sun.misc.Signal(names[i]);
        for (int i = 0; i < names.length; i++) {
            // a shell starts background commands with SIGINT ignored; as bpftrace, we still stop on INT and TERM
            if (numbers[i] != 1) {
                try {
                    org.bpf4j.sys.Syscalls.unignoreSignal(numbers[i]);
                } catch (RuntimeException ignored) {
                    // keep the disposition we were given
                }
            }
            try {
                sun.misc.Signal.handle(signals[i], handler);
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
