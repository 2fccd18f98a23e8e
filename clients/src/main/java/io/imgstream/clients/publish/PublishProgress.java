package io.imgstream.clients.publish;

import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** Progress bars drawn on a command's error writer, so they never mix with its output and tests can capture them. */
public final class PublishProgress {

    private static final int WIDTH = 100;
    private static final long MEGABYTE = 1 << 20;

    private PublishProgress() {}

    /** A bar for {@code total} steps named {@code task}, redrawn in place with carriage returns. */
    public static ProgressBar bar(String task, long total, PrintWriter err) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUpdateIntervalMillis(200)
                .setConsumer(consumer(err))
                .build();
    }

    /** A bar counting bytes, shown in MB, for {@code task}; its total is unknown until {@code maxHint} sets it. */
    public static ProgressBar bytes(String task, PrintWriter err) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(-1)
                .setUnit(" MB", MEGABYTE)
                .setUpdateIntervalMillis(200)
                .setConsumer(consumer(err))
                .build();
    }

    private static DelegatingProgressBarConsumer consumer(PrintWriter err) {
        return new DelegatingProgressBarConsumer(
                line -> {
                    err.print('\r');
                    err.print(line);
                    err.flush();
                },
                WIDTH);
    }
}
