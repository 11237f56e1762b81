/**
 * The profile tests' program: its main thread spends its time in one known chain of calls, main -> alpha -> beta
 * -> gamma -> delta (the tests keep the JIT from inlining them), until its standard input closes. It prints
 * "warm" once the chain has run long enough to be compiled, and the number of chain calls per second at the end.
 * The line "mark" on its input prints "mark CALLS NANOTIME" (for a throughput over a window: bench/profile.py).
 * The line "switch" on its input moves it to another chain, main -> omega -> psi -> delta.
 * With the argument "sleep" it spends its time off CPU instead, in main -> nap -> doze -> a pipe's read.
 */
public class HotChain {
    static volatile long sink;
    static volatile boolean done, switched;
    static final java.util.concurrent.atomic.AtomicLong CALLS = new java.util.concurrent.atomic.AtomicLong();

    public static void main(String[] args) throws Exception {
        Thread stdin = new Thread(() -> {
            try {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.equals("switch")) switched = true;
                    if (l.equals("mark")) System.out.println("mark " + CALLS.get() + " " + System.nanoTime());
                }
            } catch (java.io.IOException e) {
                // closed
            }
            done = true;
        });
        stdin.setDaemon(true);
        stdin.start();
        boolean sleepy = args.length > 0 && args[0].equals("sleep");
        if (sleepy) {
            Thread ticker = new Thread(() -> {
                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                try {
                    while (true) {
                        Thread.sleep(1);
                        one.clear();
                        PIPE.sink().write(one);
                    }
                } catch (Exception e) {
                    // the program ends
                }
            });
            ticker.setDaemon(true);
            ticker.start();
        }
        long start = System.nanoTime(), calls = 0;
        boolean warm = false;
        while (!done) {
            if ((calls & 255) == 0) CALLS.set(calls);
            if (sleepy) nap(calls++);
            else if (switched) sink += omega(calls++);
            else sink += alpha(calls++);
            if (!warm && System.nanoTime() - start > 1_500_000_000L) {
                warm = true;
                System.out.println("warm");
                System.out.flush();
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.println("calls/s " + (long) (calls / secs));
    }

    static final java.nio.channels.Pipe PIPE;
    static {
        try {
            PIPE = java.nio.channels.Pipe.open();
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Off CPU: main -> nap -> doze -> a blocking read of a pipe another thread writes every millisecond (read(2)
     * through libc's plain wrapper: the frame-pointer walk passes it, where sleeping's condition wait does not).
     */
    static void nap(long x) throws java.io.IOException { doze(x); }

    static void doze(long x) throws java.io.IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
        PIPE.source().read(b);
    }

    /** The chain run after "switch" on standard input: compiled only then, while a profile may be running. */
    static long omega(long x) { return psi(x) - 1; }

    static long psi(long x) { return delta(x) + 5; }

    static long alpha(long x) { return beta(x) + 1; }

    static long beta(long x) { return gamma(x) ^ 3; }

    static long gamma(long x) { return delta(x) * 7; }

    static long delta(long x) {
        long s = x;
        for (int i = 0; i < 2000; i++) s = s * 31 + i;
        return s;
    }
}
