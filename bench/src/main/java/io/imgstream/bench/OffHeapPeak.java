package io.imgstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Samples the process's memory on a daemon thread while a measurement runs and keeps two peaks:
 * <ul>
 *   <li>the resident set size of the whole process ({@link Pointer#physicalBytes()}): ND4J's off-heap buffers plus
 *   the Java heap and code;</li>
 *   <li>the resident set minus the memory the JVM has committed for its heap and non-heap pools, at the same
 *   moment: an upper bound on the native memory ND4J and oneDNN hold (it still includes the JVM's own thread stacks
 *   and GC structures). ND4J's CPU allocations are not tracked by {@link Pointer#totalBytes()} or ND4J's
 *   allocation tracker (both stay 0 here), so this is the closest figure the process gives.</li>
 * </ul>
 * Use once, with try-with-resources.
 */
public final class OffHeapPeak implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 10;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong residentPeak = new AtomicLong();
    private final AtomicLong nativePeak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    /** Starts sampling. */
    public OffHeapPeak() {
        sample();
        sampler = new Thread(
                () -> {
                    while (running) {
                        sample();
                        try {
                            Thread.sleep(SAMPLE_MILLIS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                },
                "off-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Peak resident bytes of the whole process seen so far. */
    public long peakBytes() {
        sample();
        return residentPeak.get();
    }

    /** Peak of resident bytes minus the JVM's committed heap and non-heap bytes seen so far. */
    public long peakNativeBytes() {
        sample();
        return nativePeak.get();
    }

    private void sample() {
        long resident = Pointer.physicalBytes();
        long jvm = memory.getHeapMemoryUsage().getCommitted()
                + memory.getNonHeapMemoryUsage().getCommitted();
        residentPeak.accumulateAndGet(resident, Math::max);
        nativePeak.accumulateAndGet(resident - jvm, Math::max);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.join();
    }
}
