package io.imgstream.model.head;

import java.util.List;
import java.util.Random;

/** Seeded synthetic bottleneck features with known structure, so head tests run in seconds. */
final class SyntheticFeatures {

    static final long[] SHAPE = {4, 2, 2};
    private static final int LENGTH = 16;

    private SyntheticFeatures() {}

    /** Gaussian clusters: class c has mean {@code separation} on features c*4..c*4+3 and 0 elsewhere, noise sd 1. */
    static LabeledFeatures clusters(int[] perClass, double separation, long seed) {
        Random random = new Random(seed);
        int count = java.util.Arrays.stream(perClass).sum();
        float[][] rows = new float[count][LENGTH];
        int[] labels = new int[count];
        int next = 0;
        for (int c = 0; c < perClass.length; c++) {
            for (int i = 0; i < perClass[c]; i++, next++) {
                labels[next] = c;
                for (int f = 0; f < LENGTH; f++) {
                    rows[next][f] = (float) (random.nextGaussian() + (f / 4 == c ? separation : 0));
                }
            }
        }
        return new LabeledFeatures(List.<float[][]>of(rows), List.<long[]>of(SHAPE), labels);
    }

    /** Pure noise with random labels: nothing to learn, so validation loss rises as the head overfits. */
    static LabeledFeatures noise(int count, int classes, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[count][LENGTH];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
            for (int f = 0; f < LENGTH; f++) {
                rows[i][f] = (float) random.nextGaussian();
            }
        }
        return new LabeledFeatures(List.<float[][]>of(rows), List.<long[]>of(SHAPE), labels);
    }
}
