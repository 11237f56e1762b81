package org.bpf4j.link;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for USDT tests: prints "ready", waits for a line on stdin, then starts threads named
 * {@code bpf4j-usdt-N} (odd ones daemons), runs System.gc() three times, prints "thread ID NAME DAEMON" for each
 * thread and "done", and exits.
 */
public final class JvmChild {
    private JvmChild() {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {}, "bpf4j-usdt-" + i);
            t.setDaemon(i % 2 == 1);
            t.start();
            started.add(t);
        }
        for (Thread t : started) t.join();
        for (int i = 0; i < 3; i++) System.gc();
        for (Thread t : started) System.out.println("thread " + t.threadId() + " " + t.getName() + " " + t.isDaemon());
        System.out.println("done");
    }

    /** Starts this class in a new JVM with the test class path. */
    static Process start(int threads) throws Exception {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                JvmChild.class.getName(), Integer.toString(threads)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
