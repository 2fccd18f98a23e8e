package io.imgstream.labeling.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * How many labels may still be given: at most so many in any hour and in any 24 hours, each a sliding window. A
 * label is taken from the budget before it is sent and given back if sending fails. Thread-safe.
 */
public final class LabelBudget {

    /** The window of {@link #perHour}. */
    public static final Duration HOUR = Duration.ofHours(1);
    /** The window of {@link #perDay}. */
    public static final Duration DAY = Duration.ofDays(1);

    /**
     * Where the budget stands.
     *
     * @param usedThisHour labels given in the last hour
     * @param perHour      most labels in an hour, 0 for no limit
     * @param usedToday    labels given in the last 24 hours
     * @param perDay       most labels in 24 hours, 0 for no limit
     * @param spentUntil   when the next label may be given, if the budget is spent now
     */
    public record Status(int usedThisHour, int perHour, int usedToday, int perDay, Optional<Instant> spentUntil) {}

    private final int perHour;
    private final int perDay;
    private final Clock clock;
    /** When each label still inside the longest limited window was taken, oldest first. */
    private final Deque<Instant> taken = new ArrayDeque<>();

    /**
     * @param perHour most labels in any hour, 0 for no limit
     * @param perDay  most labels in any 24 hours, 0 for no limit
     * @param clock   the time
     */
    public LabelBudget(int perHour, int perDay, Clock clock) {
        if (perHour < 0 || perDay < 0) {
            throw new IllegalArgumentException("a budget is 0 (no limit) or more, not " + perHour + "/" + perDay);
        }
        this.perHour = perHour;
        this.perDay = perDay;
        this.clock = clock;
    }

    /**
     * Takes one label from the budget, if it is not spent.
     *
     * @return empty if taken, else when the budget allows the next label
     */
    public synchronized Optional<Instant> tryTake() {
        Instant now = clock.instant();
        Optional<Instant> spentUntil = spentUntil(now);
        if (spentUntil.isEmpty() && (perHour > 0 || perDay > 0)) {
            taken.addLast(now);
        }
        return spentUntil;
    }

    /** Gives back the label last taken, whose sending failed. */
    public synchronized void giveBack() {
        taken.pollLast();
    }

    /** Where the budget stands now. */
    public synchronized Status status() {
        Instant now = clock.instant();
        Optional<Instant> spentUntil = spentUntil(now);
        return new Status(countSince(now.minus(HOUR)), perHour, countSince(now.minus(DAY)), perDay, spentUntil);
    }

    private Optional<Instant> spentUntil(Instant now) {
        forgetBefore(now.minus(perDay > 0 ? DAY : HOUR));
        Instant until = null;
        if (perHour > 0 && countSince(now.minus(HOUR)) >= perHour) {
            until = nthNewest(perHour).plus(HOUR);
        }
        if (perDay > 0 && taken.size() >= perDay) {
            Instant dayUntil = nthNewest(perDay).plus(DAY);
            until = until == null || dayUntil.isAfter(until) ? dayUntil : until;
        }
        return Optional.ofNullable(until);
    }

    /** Once the n-th newest label leaves the window, fewer than n are left in it. */
    private Instant nthNewest(int n) {
        Iterator<Instant> newestFirst = taken.descendingIterator();
        Instant nth = null;
        for (int i = 0; i < n; i++) {
            nth = newestFirst.next();
        }
        return nth;
    }

    private int countSince(Instant start) {
        int count = 0;
        for (Iterator<Instant> newestFirst = taken.descendingIterator(); newestFirst.hasNext(); ) {
            if (!newestFirst.next().isAfter(start)) {
                break;
            }
            count++;
        }
        return count;
    }

    private void forgetBefore(Instant start) {
        while (!taken.isEmpty() && !taken.peekFirst().isAfter(start)) {
            taken.pollFirst();
        }
    }
}
