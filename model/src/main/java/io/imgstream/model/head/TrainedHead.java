package io.imgstream.model.head;

import io.imgstream.model.evaluation.TrainingCurves;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A head either trainer produced, as {@code fit} and the worker's refits go on with it: assembled onto the base,
 * fine-tuned, saved with its curves. {@link HeadTrainingResult} (the dense head) and {@link LinearHeadTrainer.Result}
 * (the linear head) add what each trainer chose.
 */
public interface TrainedHead {

    /** The trained head. */
    ComputationGraph head();

    /** Its training curves: per epoch of the dense head; of the linear head, at the L2 strength kept. */
    TrainingCurves curves();
}
