package io.imgstream.evaluation;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One end of a replayed range, as given on the command line: an offset (the same on every partition), an ISO-8601
 * time, or the topic's beginning or end.
 */
public sealed interface ReplayBound {

    /** The earliest retained record. */
    record Beginning() implements ReplayBound {
        @Override
        public String toString() {
            return "beginning";
        }
    }

    /** The end of the topic when the replay starts. */
    record End() implements ReplayBound {
        @Override
        public String toString() {
            return "end";
        }
    }

    /** An offset, on every partition. */
    record AtOffset(long offset) implements ReplayBound {
        @Override
        public String toString() {
            return "offset " + offset;
        }
    }

    /** The first record at or after a time (by record timestamp). */
    record AtTime(Instant time) implements ReplayBound {
        @Override
        public String toString() {
            return time.toString();
        }
    }

    /**
     * Parses a bound.
     *
     * @param text          an offset ({@code 1200}), an ISO-8601 time ({@code 2026-12-01T10:00:00Z}), or null
     * @param defaultBound  what null means
     * @throws IllegalArgumentException with what is expected, for anything else
     */
    static ReplayBound parse(String text, ReplayBound defaultBound) {
        if (text == null) {
            return defaultBound;
        }
        String trimmed = text.strip();
        if (trimmed.matches("[0-9]{1,18}")) {
            return new AtOffset(Long.parseLong(trimmed));
        }
        try {
            return new AtTime(Instant.parse(trimmed));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is neither an offset (e.g. 1200) nor an ISO-8601 time "
                    + "(e.g. 2026-12-01T10:00:00Z)");
        }
    }
}
