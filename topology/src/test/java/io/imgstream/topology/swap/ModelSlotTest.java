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

        static Sized of(int version, int height, int width) {
            return new Sized(
                    version, Optional.of(new Preprocessing(height, width, 3, PixelScaling.UNIT, ResizePolicy.SQUASH)));
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
        slot.shadow(new Sized(2, Optional.empty()));

        assertThat(slot.inputSize()).isEmpty();
    }
}
