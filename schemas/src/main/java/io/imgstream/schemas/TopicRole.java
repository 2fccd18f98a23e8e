package io.imgstream.schemas;

import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.EvalResult;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.Prediction;
import org.apache.avro.Schema;

/** The fixed roles of imgstream's topics, each with its default name, cleanup policy and value schema. */
public enum TopicRole {
    IMAGES("images", false, ImageRef.getClassSchema()),
    PREDICTIONS("predictions", false, Prediction.getClassSchema()),
    PREDICTIONS_SHADOW("predictions-shadow", false, Prediction.getClassSchema()),
    FEATURES("features", true, FeatureVector.getClassSchema()),
    FEEDBACK("feedback", false, LabelFeedback.getClassSchema()),
    MODEL_VERSIONS("model-versions", true, ModelVersion.getClassSchema()),
    LABELING_REQUESTS("labeling-requests", false, LabelRequest.getClassSchema()),
    IMAGES_DLQ("images-dlq", false, DeadLetter.getClassSchema()),
    EVAL_RESULTS("eval-results", false, EvalResult.getClassSchema());

    private final String defaultName;
    private final boolean compacted;
    private final Schema valueSchema;

    TopicRole(String defaultName, boolean compacted, Schema valueSchema) {
        this.defaultName = defaultName;
        this.compacted = compacted;
        this.valueSchema = valueSchema;
    }

    /** The topic name used unless configuration overrides it. */
    public String defaultName() {
        return defaultName;
    }

    /** Whether the topic keeps only the latest record per key. */
    public boolean compacted() {
        return compacted;
    }

    /** The Avro schema of record values on this topic. */
    public Schema valueSchema() {
        return valueSchema;
    }
}
