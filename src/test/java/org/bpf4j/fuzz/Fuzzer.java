package org.bpf4j.fuzz;

import org.bpf4j.BpfException;
import org.bpf4j.UserException;
import org.bpf4j.asm.AsmSyntaxException;
import org.bpf4j.asm.DecodeException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs a target's mutated inputs one at a time on a worker thread with the JVM's default 1 MiB stack, each
 * bounded in time; collects the failures by kind and place: an exception that is not one of the parser's typed
 * errors, a typed error worded by Java rather than by bpf4j, an error (StackOverflowError, OutOfMemoryError), or an
 * input still running after the time bound (whose worker is then abandoned and replaced).
 */
final class Fuzzer {
    /** Java's own wording, which a user should never see in one of our messages. */
    static final Pattern JAVA_WORDS = Pattern.compile("For input string|Input length = |No enum constant|out of bounds for length"
            + "|Index -?\\d+ out of bounds|Cannot invoke|because \"|java\\.lang\\.|java\\.util\\.|Out of bound access");

    /** One distinct failure: where and what, the first input that showed it and how many did. */
    record Failure(String key, String detail, long index, byte[] input, int count) {
        Failure again() { return new Failure(key, detail, index, input, count + 1); }

        /** The input, as text when it is mostly text. */
        String shown() {
            String s = new String(input, 0, Math.min(input.length, 300), StandardCharsets.UTF_8);
            return s.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t').count() > s.length() / 10
                    ? input.length + " bytes" : s.replace("\n", "\\n") + (input.length > 300 ? "..." : "");
        }
    }

    /** What a run found. */
    record Result(String target, long inputs, long accepted, long refused, Map<String, Failure> failures, long nanos) {}

    private final FuzzTarget target;
    private final long millisPerInput;
    private Worker worker;

    Fuzzer(FuzzTarget target, long millisPerInput) {
        this.target = target;
        this.millisPerInput = millisPerInput;
    }

    /** The failure {@code input} shows (its key and message), or null when it ends in a result or a typed error. */
    String replay(byte[] input) {
        try {
            Outcome o = once(input);
            if (o.hang() != null) return "hang " + o.hang();
            Throwable t = o.thrown();
            if (t == null || (target.typed().test(t) && !JAVA_WORDS.matcher(String.valueOf(t.getMessage())).find())) return null;
            return t.getClass().getSimpleName() + " at " + place(t) + ": " + t.getMessage();
        } finally {
            if (worker != null) worker.stop();
            worker = null;
        }
    }

    /** Inputs {@code from} to {@code to} (exclusive) of the run seeded with {@code seed}. */
    Result run(long seed, long from, long to) {
        Mutator m = new Mutator(target.seeds(), target.tokens(), target.maxLength());
        Map<String, Failure> failures = new LinkedHashMap<>();
        long accepted = 0, refused = 0, start = System.nanoTime();
        try {
            for (long i = from; i < to; i++) {
                byte[] input = i < target.seeds().size() ? target.seeds().get((int) i) : m.input(seed, i);
                Outcome o = once(input);
                String key = null, detail = null;
                switch (o.thrown()) {
                    case null -> {
                        if (o.hang() != null) { key = "hang " + o.hang(); detail = "still running after " + millisPerInput + " ms"; }
                        else accepted++;
                    }
                    case Throwable t when target.typed().test(t) && !JAVA_WORDS.matcher(String.valueOf(t.getMessage())).find() -> refused++;
                    case Throwable t -> {
                        key = (target.typed().test(t) ? "java-worded " : "") + t.getClass().getSimpleName() + " at " + place(t);
                        detail = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
                    }
                }
                if (key != null) {
                    long index = i;
                    String d = detail;
                    failures.merge(key, new Failure(key, d, index, input, 1), (a, b) -> a.again());
                }
            }
        } finally {
            if (worker != null) worker.stop();
        }
        return new Result(target.name(), to - from, accepted, refused, failures, System.nanoTime() - start);
    }

    /** The typed errors every parser may throw: bpf4j's user errors, kernel-layer errors, assembler and decoder errors. */
    static boolean commonTyped(Throwable t) {
        return t instanceof UserException || t instanceof BpfException || t instanceof AsmSyntaxException || t instanceof DecodeException;
    }

    /** Also a plain IllegalArgumentException thrown by bpf4j's own code (the documented error of a few small parsers). */
    static boolean ownIllegalArgument(Throwable t) {
        if (commonTyped(t)) return true;
        if (t.getClass() != IllegalArgumentException.class) return false;
        StackTraceElement[] st = t.getStackTrace();
        return st.length > 0 && st[0].getClassName().startsWith("org.bpf4j.");
    }

    /** The first bpf4j frame of a stack, the failure's place. */
    static String place(Throwable t) {
        return place(t.getStackTrace());
    }

    static String place(StackTraceElement[] st) {
        for (StackTraceElement e : st) {
            if (e.getClassName().startsWith("org.bpf4j.") && !e.getClassName().startsWith("org.bpf4j.fuzz."))
                return e.getClassName().substring("org.bpf4j.".length()) + "." + e.getMethodName() + ":" + e.getLineNumber();
        }
        return st.length > 0 ? st[0].toString() : "?";
    }

    private record Outcome(Throwable thrown, String hang) {}

    private Outcome once(byte[] input) {
        if (worker == null) worker = new Worker(target);
        try {
            worker.inbox.put(input);
            Object r = worker.outbox.poll(millisPerInput, TimeUnit.MILLISECONDS);
            if (r == null) {
                String where = place(worker.thread.getStackTrace());
                worker.abandon();
                worker = null;
                return new Outcome(null, "at " + where);
            }
            return new Outcome(r instanceof Throwable t ? t : null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A daemon thread with the JVM's default stack size that runs inputs handed to it. */
    private static final class Worker {
        private static final Object OK = new Object();
        final SynchronousQueue<byte[]> inbox = new SynchronousQueue<>();
        final SynchronousQueue<Object> outbox = new SynchronousQueue<>();
        final Thread thread;
        volatile boolean abandoned;

        Worker(FuzzTarget target) {
            thread = new Thread(null, () -> {
                while (!abandoned) {
                    byte[] in;
                    try {
                        in = inbox.take();
                    } catch (InterruptedException e) {
                        return;
                    }
                    Object out;
                    try {
                        target.run().accept(in);
                        out = OK;
                    } catch (Throwable t) {
                        out = t;
                    }
                    try {
                        outbox.put(out);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "fuzz-" + target.name(), 1 << 20);
            thread.setDaemon(true);
            thread.start();
        }

        /** Leaves a hung input to run on (a thread cannot be killed); interrupting it ends it once it waits. */
        void abandon() {
            abandoned = true;
            thread.interrupt();
        }

        void stop() {
            abandoned = true;
            thread.interrupt();
        }
    }
}
