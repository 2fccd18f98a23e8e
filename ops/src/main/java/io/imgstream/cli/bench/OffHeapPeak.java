package io.imgstream.cli.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Samples the process's memory on a daemon thread while a measurement runs and keeps the peak. What is
 * measured: {@link Pointer#physicalBytes()}, the resident set size of the whole process (ND4J's off-heap
 * buffers plus the Java heap and code), because ND4J's native allocations are not tracked by
 * {@link Pointer#totalBytes()} (it stays 0 here). Use once, with try-with-resources.
 */
final class OffHeapPeak implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 10;

    private final AtomicLong peak = new AtomicLong(Pointer.physicalBytes());
    private final Thread sampler;
    private volatile boolean running = true;

    OffHeapPeak() {
        sampler = new Thread(() -> {
            while (running) {
                peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "off-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Peak resident bytes seen so far. */
    long peakBytes() {
        return peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join();
    }
}
