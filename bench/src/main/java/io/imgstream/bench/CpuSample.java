package io.imgstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * The CPU time this process and the whole machine have used so far, to tell at the end of a measurement how much of
 * the machine's cores the process got and how much went elsewhere (the local stack's broker and registry, anything
 * else running). The machine's figure comes from Linux's {@code /proc/stat}; elsewhere it is absent.
 *
 * @param wallNanos        {@link System#nanoTime()} when taken
 * @param processCpuNanos  CPU time of this process, all threads
 * @param machineBusyTicks CPU ticks of all cores spent neither idle nor waiting for I/O; -1 without /proc/stat
 * @param machineAllTicks  CPU ticks of all cores; -1 without /proc/stat
 */
record CpuSample(long wallNanos, long processCpuNanos, long machineBusyTicks, long machineAllTicks) {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** Columns of /proc/stat's cpu line that are not work: idle and iowait. */
    private static final int IDLE = 3;

    private static final int IOWAIT = 4;

    /** The counters now. */
    static CpuSample now() {
        long processCpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long busy = -1;
        long all = -1;
        try {
            String line = Files.readAllLines(PROC_STAT).get(0);
            long[] ticks = Arrays.stream(line.trim().split("\\s+"))
                    .skip(1)
                    .mapToLong(Long::parseLong)
                    .toArray();
            // guest and guest_nice are already counted in user and nice.
            all = Arrays.stream(ticks).limit(8).sum();
            busy = all - ticks[IDLE] - ticks[IOWAIT];
        } catch (IOException | RuntimeException e) {
            // Not Linux, or a /proc/stat of another shape: the machine's share is left out, the process's is not.
        }
        return new CpuSample(System.nanoTime(), processCpu, busy, all);
    }

    /** Share of all the machine's cores this process used since {@code earlier}. */
    double processShareSince(CpuSample earlier) {
        return (processCpuNanos - earlier.processCpuNanos)
                / ((double) (wallNanos - earlier.wallNanos)
                        * Runtime.getRuntime().availableProcessors());
    }

    /** Share of all the machine's cores busy since {@code earlier}, whoever used them; empty without /proc/stat. */
    OptionalDouble machineShareSince(CpuSample earlier) {
        if (machineAllTicks < 0 || earlier.machineAllTicks < 0 || machineAllTicks == earlier.machineAllTicks) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(
                (machineBusyTicks - earlier.machineBusyTicks) / (double) (machineAllTicks - earlier.machineAllTicks));
    }
}
