package io.imgstream.topology.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.topology.drift.DriftMonitor;
import io.imgstream.topology.drift.DriftSettings;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.LabelingPolicy;
import io.imgstream.topology.scoring.PendingImage;
import io.imgstream.topology.scoring.PredictionBuilder;
import io.imgstream.topology.scoring.ScoredBatch;
import io.imgstream.topology.scoring.ScoredImage;
import io.imgstream.topology.scoring.ScoredImage.Failed;
import io.imgstream.topology.scoring.ScoredImage.Score;
import io.imgstream.topology.scoring.ScoredImage.Scored;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchEmitterTest {

    private static final ModelIdentity PRIMARY = new ModelIdentity("colours", 4, List.of("red", "blue"));
    private static final ModelIdentity SHADOW = new ModelIdentity("colours", 5, List.of("red", "blue"));
    private static final int MAX_ATTEMPTS = 2;

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private final MetricRegistry registry = new MetricRegistry();
    private final ScorerMetrics metrics = new ScorerMetrics(registry, () -> PRIMARY, Optional::empty);
    // Red with confidence 0.9 to 1 on 40 holdout images: the reference the drift test moves away from.
    private static final PredictionProfile CONFIDENT_RED =
            PredictionProfile.of(PRIMARY.classes(), new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 40}, new long[] {40, 0});

    private final DriftMonitor drift = new DriftMonitor(
            new DriftSettings(50, 20, 30, 0.25, 1.0),
            model -> model.equals(PRIMARY) ? Optional.of(CONFIDENT_RED) : Optional.empty());
    private final BatchEmitter emitter = new BatchEmitter(
            new PredictionBuilder(2),
            new LabelingPolicy(0, 0),
            drift,
            metrics,
            new RecordRetries(MAX_ATTEMPTS, Duration.ZERO),
            new BatchEmitter.Outputs("predictions", "shadow", "label-requests", "features", "dead-letter"));

    @BeforeEach
    void setUp() {
        context.setCurrentSystemTimeMs(10_000L);
    }

    @Test
    void shouldDeadLetterTheImageTheModelFailedOnAndPredictTheRest() {
        ScoredBatch batch = batch(
                image(pending("a", 7), 2.0, new Scored(new float[] {0.9f, 0.1f}, null), null),
                image(pending("b", 8), 2.0, new Failed(new IllegalArgumentException("NaN in layer 3")), null));

        emitter.emitScored(context, batch);

        assertThat(forwardedTo("predictions")).singleElement().satisfies(value -> {
            Prediction prediction = (Prediction) value;
            assertThat(prediction.getImageId()).isEqualTo("a");
            assertThat(prediction.getModelVersion()).isEqualTo(4);
            assertThat(prediction.getLatency().getFetchMs()).isEqualTo(2.0);
        });
        assertThat(forwardedTo("dead-letter")).singleElement().satisfies(value -> {
            DeadLetter letter = (DeadLetter) value;
            assertThat(letter.getImageId()).isEqualTo("b");
            assertThat(letter.getStage()).isEqualTo(DeadLetterStage.SCORE);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.SCORING_FAILED);
            assertThat(letter.getModelVersion()).isEqualTo(4);
            assertThat(letter.getSourceOffset()).isEqualTo(8L);
            assertThat(letter.getExceptionClass()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(letter.getMessage())
                    .isEqualTo(
                            "image b: model colours v4 failed to score it: java.lang.IllegalArgumentException: NaN in "
                                    + "layer 3");
        });
        assertThat(forwardedTo("shadow")).isEmpty();
    }

    @Test
    void shouldFailTheTaskAndForwardNothingWhenTheModelFailedForAReasonOutsideTheImage() {
        ScoredBatch batch = batch(
                image(pending("a", 7), 2.0, new Scored(new float[] {0.9f, 0.1f}, null), null),
                image(pending("b", 8), 2.0, new Failed(new TimeoutException("device lost")), null));

        for (int attempt = 1; attempt <= MAX_ATTEMPTS + 1; attempt++) {
            assertThatThrownBy(() -> emitter.emitScored(context, batch))
                    .as("an outage is waited out, however long it lasts")
                    .isInstanceOf(StreamsException.class)
                    .hasMessageContaining("failed on image b for a reason outside the image")
                    .hasRootCauseMessage("device lost");
        }
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldScoreAgainAnImageTheModelMayFailOnByChanceThenDeadLetterIt() {
        ScoredBatch batch = batch(
                image(pending("a", 7), 2.0, new Scored(new float[] {0.9f, 0.1f}, null), null),
                image(
                        pending("b", 8),
                        2.0,
                        new Failed(new UncheckedIOException(new IOException("device lost"))),
                        null));

        assertThatThrownBy(() -> emitter.emitScored(context, batch))
                .isInstanceOf(StreamsException.class)
                .hasMessageContaining("failed on image b (attempt 1 of 2) for a reason that may lie outside the image")
                .hasRootCauseMessage("device lost");
        assertThat(context.forwarded()).isEmpty();
        emitter.emitScored(context, batch);

        assertThat(forwardedTo("predictions")).hasSize(1);
        assertThat(forwardedTo("dead-letter")).singleElement().satisfies(value -> {
            DeadLetter letter = (DeadLetter) value;
            assertThat(letter.getImageId()).isEqualTo("b");
            assertThat(letter.getStage()).isEqualTo(DeadLetterStage.SCORE);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
            assertThat(letter.getExceptionClass()).isEqualTo(UncheckedIOException.class.getName());
        });
    }

    @Test
    void shouldWriteShadowPredictionsForTheImagesTheShadowModelScored() {
        ScoredBatch batch = batch(
                image(
                        pending("a", 7),
                        2.0,
                        new Scored(new float[] {0.9f, 0.1f}, null),
                        new Scored(new float[] {0.2f, 0.8f}, null)),
                image(
                        pending("b", 8),
                        2.0,
                        new Scored(new float[] {0.9f, 0.1f}, null),
                        new Failed(new IllegalStateException("shadow broke"))));

        emitter.emitScored(context, batch);

        assertThat(forwardedTo("predictions")).hasSize(2);
        assertThat(forwardedTo("shadow")).singleElement().satisfies(value -> {
            assertThat(((Prediction) value).getImageId()).isEqualTo("a");
            assertThat(((Prediction) value).getModelVersion()).isEqualTo(5);
            assertThat(((Prediction) value).getArm()).isEqualTo(PredictionArm.SHADOW);
        });
        assertThat(forwardedTo("dead-letter"))
                .as("a shadow model's failure is not the image's fault")
                .isEmpty();
    }

    @Test
    void shouldCountTheShadowModelsAgreementByClassAndItsFailures() {
        Scored red = new Scored(new float[] {0.9f, 0.1f}, null);
        Scored blue = new Scored(new float[] {0.2f, 0.8f}, null);
        ScoredBatch batch = batch(
                image(pending("a", 7), 2.0, red, blue),
                image(pending("b", 8), 2.0, red, red),
                image(pending("c", 9), 2.0, blue, blue),
                image(pending("d", 10), 2.0, red, new Failed(new IllegalStateException("shadow broke"))));

        emitter.emitScored(context, batch);

        assertThat(registry.meter(ScorerMetrics.SHADOW_AGREEMENTS).getCount()).isEqualTo(2);
        assertThat(registry.meter(ScorerMetrics.SHADOW_DISAGREEMENTS).getCount())
                .isEqualTo(1);
        assertThat(registry.meter(ScorerMetrics.SHADOW_DISAGREEMENTS + ".red").getCount())
                .as("by the primary model's class")
                .isEqualTo(1);
        assertThat(registry.meter(ScorerMetrics.SHADOW_FAILURES).getCount()).isEqualTo(1);
        assertThat(forwardedTo("predictions")).hasSize(4);
    }

    @Test
    void shouldAskForLabelsOfConfidentPredictionsOnceTheModelDriftsFromItsHoldout() {
        metrics.driftOf(drift::current);
        Scored confidentRed = new Scored(new float[] {0.95f, 0.05f}, null);
        Scored confidentBlue = new Scored(new float[] {0.05f, 0.95f}, null);
        List<ScoredImage> likeTheHoldout = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            likeTheHoldout.add(image(pending("red-" + i, i), 2.0, confidentRed, null));
        }
        emitter.emitScored(context, batch(likeTheHoldout.toArray(ScoredImage[]::new)));

        assertThat(forwardedTo("label-requests"))
                .as("confident and like the holdout")
                .isEmpty();
        assertThat(registry.gauge(ScorerMetrics.DRIFTING).getValue()).isEqualTo(0);
        assertThat((double) registry.gauge(ScorerMetrics.DRIFT_CLASS_MIX_SHIFT).getValue())
                .isLessThan(0.25);

        List<ScoredImage> shifted = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            shifted.add(image(pending("blue-" + i, 100 + i), 2.0, confidentBlue, null));
        }
        emitter.emitScored(context, batch(shifted.toArray(ScoredImage[]::new)));

        assertThat(registry.gauge(ScorerMetrics.DRIFTING).getValue()).isEqualTo(1);
        assertThat((double) registry.gauge(ScorerMetrics.DRIFT_CLASS_MIX_SHIFT).getValue())
                .isGreaterThan(0.25);
        assertThat(forwardedTo("label-requests"))
                .as("every confident prediction once drifting, with the share at 1")
                .isNotEmpty()
                .allSatisfy(
                        value -> assertThat(((LabelRequest) value).getReason()).startsWith("drift: "))
                .allSatisfy(
                        value -> assertThat(((LabelRequest) value).getImageId()).startsWith("blue-"));
    }

    @Test
    void shouldStartANewDriftWindowWithEachModelVersion() {
        Scored confidentBlue = new Scored(new float[] {0.05f, 0.95f}, null);
        for (int i = 0; i < 30; i++) {
            emitter.emitScored(context, batch(image(pending("blue-" + i, i), 2.0, confidentBlue, null)));
        }
        assertThat(drift.current().drifting()).isTrue();

        ModelIdentity next = new ModelIdentity("colours", 5, List.of("red", "blue"));
        emitter.emitScored(
                context,
                new ScoredBatch(
                        "images-0@99",
                        1,
                        next,
                        null,
                        null,
                        null,
                        9_000L,
                        1_000_000L,
                        List.of(image(pending("blue-99", 99), 2.0, confidentBlue, null))));

        assertThat(drift.current().window()).isEqualTo(1);
        assertThat(drift.current().drifting())
                .as("v5 has no recorded holdout profile: nothing to compare with")
                .isFalse();
    }

    @Test
    void shouldPredictACanaryImageWithTheCanaryAndCompareItWithTheCurrentModel() {
        Scored red = new Scored(new float[] {0.9f, 0.1f}, null);
        Scored blue = new Scored(new float[] {0.2f, 0.8f}, null);
        ScoredBatch batch = canaryBatch(
                image(pending("a", 7), 2.0, red, null, red),
                image(pending("b", 8), 2.0, red, null, blue),
                image(pending("c", 9), 2.0, blue, null, null));

        emitter.emitScored(context, batch);

        assertThat(forwardedTo("predictions"))
                .map(Prediction.class::cast)
                .extracting(p -> p.getImageId() + " " + p.getArm() + " v" + p.getModelVersion() + " "
                        + p.getTopK().get(0).getLabel())
                .containsExactly("a CANARY v5 red", "b CANARY v5 blue", "c CURRENT v4 blue");
        assertThat(registry.meter(ScorerMetrics.CANARY_AGREEMENTS).getCount()).isEqualTo(1);
        assertThat(registry.meter(ScorerMetrics.CANARY_DISAGREEMENTS + ".red").getCount())
                .isEqualTo(1);
        assertThat(registry.meter(ScorerMetrics.PREDICTIONS + ".CANARY").getCount())
                .isEqualTo(2);
        assertThat(registry.meter(ScorerMetrics.PREDICTIONS + ".CURRENT").getCount())
                .isEqualTo(1);
    }

    @Test
    void shouldFallBackToTheCurrentModelWhenTheCanaryFailsOnAnImage() {
        Scored red = new Scored(new float[] {0.9f, 0.1f}, null);
        ScoredBatch batch = canaryBatch(
                image(pending("a", 7), 2.0, red, null, new Failed(new IllegalStateException("canary broke"))),
                image(
                        pending("b", 8),
                        2.0,
                        new Failed(new IllegalArgumentException("bad pixels")),
                        null,
                        new Failed(new IllegalStateException("canary broke"))));

        emitter.emitScored(context, batch);

        assertThat(forwardedTo("predictions")).singleElement().satisfies(value -> {
            assertThat(((Prediction) value).getImageId()).isEqualTo("a");
            assertThat(((Prediction) value).getArm()).isEqualTo(PredictionArm.CURRENT);
            assertThat(((Prediction) value).getModelVersion()).isEqualTo(4);
        });
        assertThat(forwardedTo("dead-letter"))
                .as("the current model's outcome of an image both failed on")
                .hasSize(1);
        assertThat(registry.meter(ScorerMetrics.CANARY_FAILURES).getCount()).isEqualTo(2);
    }

    @Test
    void shouldKeepTheCanarysPredictionOfAnImageTheCurrentModelFailedOn() {
        Scored blue = new Scored(new float[] {0.2f, 0.8f}, null);
        ScoredBatch batch =
                canaryBatch(image(pending("a", 7), 2.0, new Failed(new TimeoutException("device lost")), null, blue));

        emitter.emitScored(context, batch);

        assertThat(forwardedTo("predictions"))
                .singleElement()
                .satisfies(value -> assertThat(((Prediction) value).getArm()).isEqualTo(PredictionArm.CANARY));
        assertThat(registry.meter(ScorerMetrics.CANARY_AGREEMENTS).getCount()).isZero();
        assertThat(registry.meter(ScorerMetrics.CANARY_DISAGREEMENTS).getCount())
                .isZero();
    }

    /** An image no canary scored. */
    private static ScoredImage image(PendingImage pending, double fetchMs, Score score, Score shadowScore) {
        return new ScoredImage(pending, fetchMs, score, shadowScore, null);
    }

    private static ScoredImage image(
            PendingImage pending, double fetchMs, Score score, Score shadowScore, Score canaryScore) {
        return new ScoredImage(pending, fetchMs, score, shadowScore, canaryScore);
    }

    private static ScoredBatch canaryBatch(ScoredImage... images) {
        return new ScoredBatch(
                "images-0@7-8", images.length, PRIMARY, null, SHADOW, null, 9_000L, 1_000_000L, List.of(images));
    }

    private static ScoredBatch batch(ScoredImage... images) {
        return new ScoredBatch(
                "images-0@7-8", images.length, PRIMARY, SHADOW, null, null, 9_000L, 1_000_000L, List.of(images));
    }

    private static PendingImage pending(String id, long offset) {
        ImageRef ref = ImageRef.newBuilder()
                .setId(id)
                .setUri("inline:")
                .setEventTime(Instant.EPOCH)
                .build();
        return new PendingImage(ref, id.getBytes(StandardCharsets.UTF_8), "images", 0, offset, 500L, 8_000L);
    }

    private List<Object> forwardedTo(String child) {
        return context.forwarded().stream()
                .filter(f -> f.childName().filter(Predicate.isEqual(child)).isPresent())
                .map(CapturedForward::record)
                .map(Record::value)
                .map(Object.class::cast)
                .toList();
    }
}
