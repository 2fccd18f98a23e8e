package io.imgstream.training.refit;

import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.schemas.avro.ModelVersion;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The version a candidate competes with: its announcement and, when it was built on the worker's base, its bundle,
 * whose head can be run on the same holdout features as the candidate's.
 */
public final class CurrentVersion {

    private final ModelVersion announcement;
    private final ModelBundle bundle;
    private final List<String> classes;
    private final TransferLearningHelper head;

    private CurrentVersion(ModelVersion announcement, ModelBundle bundle) {
        this.announcement = announcement;
        this.bundle = bundle;
        this.classes =
                announcement.getClasses().stream().map(CharSequence::toString).toList();
        String bottleneck = bundle == null ? null : bundle.manifest().bottleneckLayer();
        // The helper freezes the network up to the bottleneck in place; the worker owns this copy.
        this.head = bottleneck == null ? null : new TransferLearningHelper(bundle.network(), bottleneck);
    }

    /**
     * @param announcement the PROMOTED record on the control topic
     * @param bundle       its bundle, when it was built on the worker's base (and names its bottleneck); else null
     */
    public static CurrentVersion of(ModelVersion announcement, ModelBundle bundle) {
        return new CurrentVersion(Objects.requireNonNull(announcement, "announcement"), bundle);
    }

    /** The version number. */
    public int version() {
        return announcement.getVersion();
    }

    /** Its classes, in output order. */
    public List<String> classes() {
        return classes;
    }

    /** Its network, to warm-start from, when it shares the worker's base. */
    public Optional<ComputationGraph> network() {
        return head == null ? Optional.empty() : Optional.of(bundle.network());
    }

    /** The accuracy its announcement records, for a version whose head can't be rerun. */
    public Optional<Double> recordedAccuracy() {
        return Optional.ofNullable(announcement.getMetrics().getAccuracy());
    }

    /** Usable images of the labeled set when it was trained, if its bundle says. */
    public Optional<Integer> labeledImages() {
        return Optional.ofNullable(bundle)
                .map(b -> b.manifest().metrics().get(Refitter.LABELED_IMAGES))
                .map(Double::intValue);
    }

    /** Whether its head can score features of the worker's base. */
    public boolean scoresFeatures() {
        return head != null;
    }

    /**
     * Class probabilities from bottleneck features.
     *
     * @param features the head's input, {@code [n, ...featureShape]}
     * @throws IllegalStateException if the version does not share the worker's base
     */
    public float[][] probabilities(INDArray features) {
        if (head == null) {
            throw new IllegalStateException("v" + version() + " was not built on the worker's base");
        }
        return ClassOutputs.probabilities(head.outputFromFeaturized(features), classes.size());
    }
}
