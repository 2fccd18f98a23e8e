package io.imgstream.topology.swap;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelSlotTest {

    /** A model that only states its input; the slot never scores. */
    private record Sized(int version, Optional<Preprocessing> preprocessing) implements ImageScorer {

        static PreparedScorer of(int version, int height, int width) {
            return new PreparedScorer(
                    new Sized(
                            version,
                            Optional.of(new Preprocessing(height, width, 3, PixelScaling.UNIT, ResizePolicy.SQUASH))),
                    8);
        }

        @Override
        public ModelIdentity model() {
            return new ModelIdentity("sized", version, List.of("a", "b"));
        }

        @Override
        public List<float[]> score(List<BufferedImage> images) {
            throw new UnsupportedOperationException("not scored");
        }

        @Override
        public void close() {}
    }

    @Test
    void shouldDecodeForTheLargestInputOfThePrimaryAndShadowModels() {
        ModelSlot slot = new ModelSlot(Sized.of(1, 224, 224));
        assertThat(slot.inputSize()).contains(new TargetSize(224, 224));

        slot.shadow(Sized.of(2, 150, 299));
        assertThat(slot.inputSize()).contains(new TargetSize(299, 224));

        slot.promote(Sized.of(3, 331, 331), Instant.now());
        assertThat(slot.inputSize()).contains(new TargetSize(331, 331));
    }

    @Test
    void shouldDecodeFullSizeWhenAModelDoesNotSayHowItPreprocesses() {
        ModelSlot slot = new ModelSlot(Sized.of(1, 224, 224));
        slot.shadow(new PreparedScorer(new Sized(2, Optional.empty()), 8));

        assertThat(slot.inputSize()).isEmpty();
    }

    @Test
    void shouldCloseBatchesAtTheSmallerBatchSizeOfThePrimaryAndShadowModels() {
        Sized model = new Sized(1, Optional.empty());
        ModelSlot slot = new ModelSlot(new PreparedScorer(model, 8));
        assertThat(slot.batchSize()).isEqualTo(8);

        slot.shadow(new PreparedScorer(new Sized(2, Optional.empty()), 3));
        assertThat(slot.batchSize()).as("the shadow scores every batch too").isEqualTo(3);

        slot.promote(new PreparedScorer(new Sized(3, Optional.empty()), 2), Instant.now());
        assertThat(slot.batchSize()).isEqualTo(2);

        slot.clearShadow();
        assertThat(slot.batchSize()).as("the new primary's own").isEqualTo(2);
        slot.promote(new PreparedScorer(new Sized(4, Optional.empty()), 16), Instant.now());
        assertThat(slot.batchSize()).isEqualTo(16);
    }

    @Test
    void shouldSizeAndDecodeForTheCanaryTooAndDropItWhenItsVersionIsPromoted() {
        ModelSlot slot = new ModelSlot(Sized.of(1, 224, 224));

        slot.canary(
                new ModelSlot.Canary(new PreparedScorer(Sized.of(2, 299, 150).scorer(), 4), 20));
        assertThat(slot.batchSize()).as("a batch may be all canary images").isEqualTo(4);
        assertThat(slot.inputSize()).contains(new TargetSize(224, 299));
        assertThat(slot.canaryShare("sized", 3, 50))
                .as("another version's share")
                .isFalse();
        assertThat(slot.canaryShare("sized", 2, 50)).isTrue();
        assertThat(slot.canaryPercent()).isEqualTo(50);

        slot.promote(Sized.of(2, 299, 150), Instant.now());
        assertThat(slot.canaryModel()).isEmpty();
        assertThat(slot.canaryPercent()).isZero();
        assertThat(slot.batchSize()).isEqualTo(8);
    }

    @Test
    void shouldPromoteTheLoadedCanaryOnlyWhenItIsTheVersionAsked() {
        ModelSlot slot = new ModelSlot(Sized.of(1, 224, 224));
        PreparedScorer canary = Sized.of(2, 224, 224);
        slot.canary(new ModelSlot.Canary(canary, 20));

        assertThat(slot.promoteCanary("sized", 3, Instant.now())).isFalse();
        assertThat(slot.primaryModel().version()).isEqualTo(1);
        assertThat(slot.promoteCanary("sized", 2, Instant.now())).isTrue();

        assertThat(slot.acquireForBatch().primary()).isSameAs(canary);
        assertThat(slot.canaryModel()).isEmpty();
    }
}
