/**
 * The profile tests' program: its main thread spends its time in one known chain of calls, main -> alpha -> beta
 * -> gamma -> delta (the tests keep the JIT from inlining them), until its standard input closes. It prints
 * "warm" once the chain has run long enough to be compiled, and the number of chain calls per second at the end.
 */
public class HotChain {
    static volatile long sink;
    static volatile boolean done;

    public static void main(String[] args) throws Exception {
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) { }
            } catch (java.io.IOException e) {
                // closed
            }
            done = true;
        });
        stdin.setDaemon(true);
        stdin.start();
        long start = System.nanoTime(), calls = 0;
        boolean warm = false;
        while (!done) {
            sink += alpha(calls++);
            if (!warm && System.nanoTime() - start > 1_500_000_000L) {
                warm = true;
                System.out.println("warm");
                System.out.flush();
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.println("calls/s " + (long) (calls / secs));
    }

    static long alpha(long x) { return beta(x) + 1; }

    static long beta(long x) { return gamma(x) ^ 3; }

    static long gamma(long x) { return delta(x) * 7; }

    static long delta(long x) {
        long s = x;
        for (int i = 0; i < 2000; i++) s = s * 31 + i;
        return s;
    }
}
