package io.imgstream.model.training;

import io.imgstream.model.evaluation.TrainingCurves;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What {@link FineTuner#fineTune} produced.
 *
 * @param network the fine-tuned base + head (the instance passed in, changed in place)
 * @param curves  per-epoch loss and accuracy; training numbers are on the un-augmented training images
 */
public record FineTuneResult(ComputationGraph network, TrainingCurves curves) {}
