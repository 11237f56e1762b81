package org.bpf4j.events;

import org.bpf4j.map.KernelMap;
import org.bpf4j.perf.EventReader;
import org.bpf4j.perf.RecordHandler;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The one path from a kernel event channel to whoever decodes and prints the events. A reader thread does nothing
 * but drain the channel (a ring buffer or a perf buffer) into chunks of heap memory, so that the kernel's buffer
 * is freed as fast as memory can be copied; the caller's thread takes the chunks in order and hands each record to
 * an {@link EventHandler}, at whatever pace decoding and output allow. Up to {@code queueBytes} wait in memory:
 * past that the reader stops draining, the kernel's buffer fills, and the program's failed outputs are counted.
 * <pre>
 *   chunk: [u32 length | i32 cpu | length bytes, padded to 4] ...   (a record never spans two chunks)
 * </pre>
 * Records keep the channel's order: a ring buffer's is global, a perf buffer's is per CPU.
 */
public final class EventStream implements AutoCloseable {
    private static final int CHUNK = 1 << 20, HEADER = 8, POLL_MILLIS = 50;

    /** Receives one record: {@code len} bytes of {@code buf} from {@code off}, valid only during the call. */
    @FunctionalInterface
    public interface EventHandler {
        /** One record from {@code cpu} (-1 for a ring buffer, which every CPU shares). */
        void onEvent(int cpu, byte[] buf, int off, int len);
    }

    private record Chunk(byte[] data, int length) {}

    private final EventReader reader;
    private final LossCounter losses;
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> free;
    private final int maxChunks;
    private int allocated;
    private byte[] current;
    private MemorySegment currentSegment;
    private int used;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private EventHandler direct;

    private EventStream(Function<RecordHandler, EventReader> open, LossCounter losses, long queueBytes) {
        this.maxChunks = (int) Math.max(2, Math.min(Integer.MAX_VALUE, queueBytes / CHUNK));
        this.full = new ArrayBlockingQueue<>(maxChunks + 1);
        this.free = new ArrayBlockingQueue<>(maxChunks + 1);
        this.losses = losses;
        this.reader = open.apply(new RecordHandler() {
            @Override public void onRecord(int cpu, MemorySegment data) { copy(cpu, data); }
            @Override public void onLost(int cpu, long count) { }
        });
        this.thread = Thread.ofPlatform().daemon().name("bpf4j-events").unstarted(this::drainLoop);
    }

    /**
     * Opens the channel through {@code open} (given the handler the reader must call) and starts draining it.
     * {@code losses} counts what the programs failed to send ({@link LossCounter#kernel} when they do not count).
     */
    public static EventStream start(Function<RecordHandler, EventReader> open, LossCounter losses, long queueBytes) {
        EventStream s = new EventStream(open, losses, queueBytes);
        s.thread.start();
        return s;
    }

    // ---- the reader thread ----

    private void drainLoop() {
        try {
            while (!stopping) {
                reader.poll(POLL_MILLIS);
                publish();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void copy(int cpu, MemorySegment data) {
        int len = (int) data.byteSize();
        if (direct != null) {
            byte[] b = data.toArray(JAVA_BYTE);
            direct.onEvent(cpu, b, 0, b.length);
            return;
        }
        int need = HEADER + ((len + 3) & ~3);
        if (current != null && used + need > current.length) publish();
        if (current == null) take(need);
        currentSegment.set(JAVA_INT_UNALIGNED, used, len);
        currentSegment.set(JAVA_INT_UNALIGNED, used + 4, cpu);
        MemorySegment.copy(data, 0, currentSegment, used + HEADER, len);
        used += need;
    }

    private void take(int need) {
        byte[] b = need <= CHUNK ? free.poll() : null;
        if (b == null && (allocated < maxChunks || need > CHUNK)) {
            b = new byte[Math.max(CHUNK, need)];
            allocated++;
        }
        while (b == null) {
            if (stopping) { // whoever stops us takes every chunk: the record must not be dropped here
                b = new byte[CHUNK];
                allocated++;
                break;
            }
            try {
                b = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS); // the consumer is behind: let the kernel's buffer take the rest
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                b = new byte[CHUNK];
            }
        }
        current = b;
        currentSegment = MemorySegment.ofArray(b);
        used = 0;
    }

    private void publish() {
        if (current == null || used == 0) return;
        Chunk c = new Chunk(current, used);
        current = null;
        currentSegment = null;
        used = 0;
        try {
            full.put(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the consumer ----

    /**
     * Waits up to {@code timeoutMillis} for records, then hands every record that has arrived to {@code handler},
     * in order; returns how many. Returns once nothing is left, so that the caller can flush its output then.
     */
    public int poll(EventHandler handler, int timeoutMillis) {
        rethrow();
        int n = 0;
        try {
            Chunk c = full.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            while (c != null) {
                n += deliver(c, handler);
                c = full.poll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return n;
    }

    private int deliver(Chunk c, EventHandler handler) {
        MemorySegment seg = MemorySegment.ofArray(c.data);
        int n = 0;
        for (int at = 0; at < c.length; ) {
            int len = seg.get(JAVA_INT_UNALIGNED, at), cpu = seg.get(JAVA_INT_UNALIGNED, at + 4);
            handler.onEvent(cpu, c.data, at + HEADER, len);
            at += HEADER + ((len + 3) & ~3);
            n++;
        }
        if (c.data.length == CHUNK) free.offer(c.data);
        else allocated--;
        return n;
    }

    /**
     * Stops the reader thread, hands what it had queued to {@code handler}, then reads the channel directly until
     * it is empty; from then on {@link #drain} reads the channel on the caller's thread. Returns how many records.
     */
    public int drain(EventHandler handler) {
        int n = 0;
        stopping = true;
        try {
            while (thread.isAlive()) { // it may wait for a free chunk: keep taking them
                Chunk c = full.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (c != null) n += deliver(c, handler);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        Chunk c;
        while ((c = full.poll()) != null) n += deliver(c, handler);
        direct = handler;
        try {
            int k;
            while ((k = reader.drainAll()) > 0) n += k;
        } finally {
            direct = null;
        }
        return n;
    }

    private void stop() {
        stopping = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        publish();
        rethrow();
    }

    private void rethrow() {
        Throwable t = failure;
        if (t == null) return;
        failure = null;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }

    /** Records lost so far: those the programs failed to send, or the kernel's count where they do not count. */
    public long lost() {
        return losses.read(reader);
    }

    /** Stops the reader thread and closes the channel's reader (not its map, which the caller owns). */
    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        reader.close();
    }

    /** Where lost records are counted: by the programs in a map, or by the kernel's perf buffer records. */
    public sealed interface LossCounter {
        /** Records lost so far. */
        long read(EventReader reader);

        /** The kernel's own count (PERF_RECORD_LOST), for programs that do not count their failed outputs. */
        static LossCounter kernel() { return new Kernel(); }

        /** A one-entry array of u64 that the programs add 1 to whenever an output fails (see {@code EventOutput}). */
        static LossCounter map(KernelMap counter) { return new InMap(counter); }

        /** The kernel's count. */
        record Kernel() implements LossCounter {
            @Override public long read(EventReader reader) { return reader.lost(); }
        }

        /** A count kept by the programs. */
        record InMap(KernelMap counter) implements LossCounter {
            private static final byte[] ZERO = new byte[4];

            @Override
            public long read(EventReader reader) {
                return counter.lookup(ZERO).map(v -> {
                    long x = 0;
                    for (int i = 7; i >= 0; i--) x = (x << 8) | (v[i] & 0xff);
                    return x;
                }).orElse(0L);
            }
        }
    }
}
