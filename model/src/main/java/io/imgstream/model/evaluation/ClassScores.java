package io.imgstream.model.evaluation;

/**
 * Precision, recall and F1 of one class. A class that was never predicted has precision 0; one with no
 * examples has recall 0; F1 is 0 when both are.
 *
 * @param label     the class
 * @param precision of the examples predicted as this class, the fraction that are
 * @param recall    of the examples of this class, the fraction predicted as it
 * @param f1        harmonic mean of precision and recall
 * @param support   number of examples of this class
 */
public record ClassScores(String label, double precision, double recall, double f1, int support) {}
