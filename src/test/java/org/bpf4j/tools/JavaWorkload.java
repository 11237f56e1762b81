package org.bpf4j.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM with a known answer for the Java tools' tests, run as a child process: each byte on its stdin is one job,
 * answered by a 'd' on its stdout when done. 'c': N calls of {@link #known}; 't': K threads named
 * {@code bpf4j-worker-I}, started and joined; 'g': G calls of System.gc(); 'a': M {@link Marker}s allocated;
 * 'e': X exceptions thrown and caught; 'l': class {@link Lazy} loaded; 'm': one contended monitor (a thread holds it
 * 200 ms while another enters). 'r' on stdout says it is ready.
 */
public final class JavaWorkload {
    static final int CALLS = 5000, THREADS = 3, GCS = 2, ALLOCS = 4321, EXCEPTIONS = 7;

    /** An object of a size the test knows: a 12-byte header and an int, 16 bytes. */
    static final class Marker {
        int value;

        Marker(int value) { this.value = value; }
    }

    /** Loaded on the 'l' job only. */
    static final class Lazy {
        static int touched;
    }

    static volatile Object sink;

    /** The method the call counts are about (not inlined: the test's JVM runs with dontinline for it). */
    static int known(int x) { return x * 31 + 7; }

    private JavaWorkload() {}

    public static void main(String[] args) throws Exception {
        OutputStream out = System.out;
        out.write('r');
        out.flush();
        InputStream in = System.in;
        int job;
        while ((job = in.read()) >= 0) {
            switch (job) {
                case 'c' -> {
                    long s = 0;
                    for (int i = 0; i < CALLS; i++) s += known(i);
                    sink = s;
                }
                case 't' -> {
                    List<Thread> ts = new ArrayList<>();
                    for (int i = 0; i < THREADS; i++) ts.add(new Thread(() -> { }, "bpf4j-worker-" + i));
                    for (Thread t : ts) t.start();
                    for (Thread t : ts) t.join();
                }
                case 'g' -> { for (int i = 0; i < GCS; i++) System.gc(); }
                case 'a' -> { for (int i = 0; i < ALLOCS; i++) sink = new Marker(i); }
                case 'e' -> {
                    for (int i = 0; i < EXCEPTIONS; i++) {
                        try {
                            throw new IllegalStateException("known " + i);
                        } catch (IllegalStateException e) {
                            sink = e;
                        }
                    }
                }
                case 'l' -> Lazy.touched++;
                case 'm' -> contend();
                default -> { continue; }
            }
            out.write('d');
            out.flush();
        }
    }

    private static void contend() throws InterruptedException {
        Object lock = new Object();
        Thread holder = new Thread(() -> {
            synchronized (lock) {
                sink = lock;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ignored) {
                    // ends early
                }
            }
        }, "bpf4j-holder");
        holder.start();
        while (sink != lock) Thread.onSpinWait();
        synchronized (lock) {
            sink = null;
        }
        holder.join();
    }

    /** A running workload JVM: jobs are sent and awaited; closing its stdin ends it. */
    static final class Child implements AutoCloseable {
        final Process process;

        private Child(Process process) { this.process = process; }

        /** Starts the workload in a JVM of this test's JDK with {@code jvmFlags}, and waits for it to be ready. */
        static Child start(String... jvmFlags) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of(jvmFlags));
            cmd.addAll(List.of("-Xmx128m", "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,org.bpf4j.tools.JavaWorkload::known",
                    "-cp", System.getProperty("java.class.path"), JavaWorkload.class.getName()));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (p.getInputStream().read() != 'r') {
                p.destroyForcibly();
                throw new IOException("the workload JVM did not start: " + cmd);
            }
            return new Child(p);
        }

        int pid() { return (int) process.pid(); }

        /** Runs job {@code job} and waits until it is done. */
        void run(char job) throws IOException {
            process.getOutputStream().write(job);
            process.getOutputStream().flush();
            if (process.getInputStream().read() != 'd') throw new IOException("the workload JVM ended during job " + job);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
    }
}
