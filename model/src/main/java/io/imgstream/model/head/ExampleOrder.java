package io.imgstream.model.head;

import java.util.Random;

/**
 * The order in which an epoch visits training examples. Every trainer shuffles the same way, so a seed means the
 * same order whichever trainer runs, and a resumed run repeats the shuffles of the run it continues.
 */
public final class ExampleOrder {

    private ExampleOrder() {}

    /** The indices {@code 0 .. count-1} in order. */
    public static int[] identity(int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Shuffles {@code order} in place (Fisher-Yates): the same {@code random} sequence gives the same order. */
    public static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }
}
