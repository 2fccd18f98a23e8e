package io.imgstream.model.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Balances classes by oversampling: every example is kept once, and examples of smaller classes are
 * drawn again at random (with replacement) until every class present has as many as the largest.
 * Combined with on-the-fly augmentation the repeats are not identical images.
 *
 * <p>Stateless and thread-safe.
 */
public final class ClassBalancer {

    private ClassBalancer() {}

    /**
     * Chooses example indices with balanced classes.
     *
     * @param labels class label per example, each 0 or higher
     * @param random source of the repeats; the same seed gives the same indices
     * @return all indices {@code 0..labels.length-1} in order, followed by the repeats; every class
     *         present then occurs as often as the largest
     * @throws IllegalArgumentException if a label is negative
     */
    public static int[] oversample(int[] labels, Random random) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(random, "random");
        int classes = Arrays.stream(labels).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(
                        "label of example " + i + " is " + labels[i] + "; labels must be 0 or higher");
            }
            byClass.get(labels[i]).add(i);
        }
        int largest = byClass.stream().mapToInt(List::size).max().orElse(0);
        int[] result = Arrays.copyOf(
                identity(labels.length),
                labels.length
                        + byClass.stream()
                                .filter(members -> !members.isEmpty())
                                .mapToInt(members -> largest - members.size())
                                .sum());
        int next = labels.length;
        for (List<Integer> members : byClass) {
            for (int extra = members.isEmpty() ? 0 : largest - members.size(); extra > 0; extra--) {
                result[next++] = members.get(random.nextInt(members.size()));
            }
        }
        return result;
    }

    private static int[] identity(int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        return order;
    }
}
