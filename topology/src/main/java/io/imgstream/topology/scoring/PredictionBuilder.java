package io.imgstream.topology.scoring;

import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Turns a probability vector into a {@link Prediction} record. Stateless and thread-safe. */
public final class PredictionBuilder {

    private final int topK;

    /** @param topK how many most-probable classes each prediction lists */
    public PredictionBuilder(int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, got " + topK);
        }
        this.topK = topK;
    }

    /**
     * @param probabilities one value per class of {@code model}, in its class order
     * @param latency       where the time went for this image
     * @param arm           which arm of a rollout {@code model} is
     * @throws IllegalArgumentException if the vector's length differs from the model's class count
     */
    public Prediction build(
            ImageRef ref,
            ModelIdentity model,
            float[] probabilities,
            String batchId,
            int batchSize,
            LatencyBreakdown latency,
            Instant scoredTime,
            PredictionArm arm) {
        List<String> classes = model.classes();
        if (probabilities.length != classes.size()) {
            throw new IllegalArgumentException("model " + model.name() + " v" + model.version() + " returned "
                    + probabilities.length + " probabilities for " + classes.size() + " classes");
        }
        Map<String, Float> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < probabilities.length; i++) {
            byLabel.put(classes.get(i), probabilities[i]);
        }
        return Prediction.newBuilder()
                .setImageId(ref.getId())
                .setImageUri(ref.getUri())
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setTopK(topK(classes, probabilities))
                .setProbabilities(byLabel)
                .setEventTime(ref.getEventTime())
                .setScoredTime(scoredTime)
                .setBatchId(batchId)
                .setBatchSize(batchSize)
                .setLatency(latency)
                .setArm(arm)
                .build();
    }

    private List<ClassProbability> topK(List<String> classes, float[] probabilities) {
        List<ClassProbability> top = new ArrayList<>(topK);
        IntStream.range(0, probabilities.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i])
                        .reversed()
                        .thenComparing(i -> i))
                .limit(topK)
                .forEach(i -> top.add(new ClassProbability(classes.get(i), probabilities[i])));
        return top;
    }
}
