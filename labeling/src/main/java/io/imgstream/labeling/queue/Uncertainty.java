package io.imgstream.labeling.queue;

import io.imgstream.schemas.avro.ClassProbability;
import java.util.Arrays;
import java.util.List;

/**
 * How unsure the model was of an image, from its top guesses: the higher, the more a label is worth. The
 * probabilities come from a topic, so they are cleaned first: anything not a number in [0, 1] counts as 0, and
 * guesses that sum past 1 are scaled down to 1. What the guesses leave of the probability mass is the rest.
 */
public enum Uncertainty {

    /**
     * Entropy of the guesses, in nats, the rest counted as one more class: it is highest when the mass is spread
     * evenly.
     */
    ENTROPY {
        @Override
        double of(double[] descending, double rest) {
            double entropy = 0;
            for (double p : descending) {
                entropy -= term(p);
            }
            return entropy - term(rest);
        }

        private static double term(double p) {
            return p > 0 ? p * Math.log(p) : 0;
        }
    },

    /**
     * One minus the gap between the top two guesses: the closer they are, the higher. With one guess, its rival is
     * what the rest could hold at most.
     */
    MARGIN {
        @Override
        double of(double[] descending, double rest) {
            if (descending.length == 0) {
                return 1;
            }
            double second = descending.length > 1 ? descending[1] : Math.min(rest, descending[0]);
            return 1 - (descending[0] - second);
        }
    };

    /**
     * The uncertainty of the guesses, in any order.
     *
     * @param topK the model's top guesses
     * @return a finite number, higher when the model was less sure
     */
    public double of(List<ClassProbability> topK) {
        double[] probabilities = topK.stream()
                .mapToDouble(guess -> clean(guess.getProbability()))
                .sorted()
                .toArray();
        reverse(probabilities);
        double sum = Arrays.stream(probabilities).sum();
        if (sum > 1) {
            for (int i = 0; i < probabilities.length; i++) {
                probabilities[i] /= sum;
            }
            sum = 1;
        }
        return of(probabilities, Math.max(0, 1 - sum));
    }

    abstract double of(double[] descending, double rest);

    private static double clean(float probability) {
        return probability >= 0 && probability <= 1 ? probability : 0;
    }

    private static void reverse(double[] values) {
        for (int i = 0, j = values.length - 1; i < j; i++, j--) {
            double swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
