package io.imgstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The few-labels split on Debian's Fashion-MNIST test images: everything it reads comes from images 0–6999. */
class FewLabelsTest {

    @Test
    void shouldLabelTheFirstImagesOfEachClassAndTestOnTheLastImagesBefore7000() throws Exception {
        FewLabels split = FewLabels.read(50, 2000);
        LabeledImages all = IdxImages.read(
                Path.of(TransferExperiment.DEBIAN_DIRECTORY, TransferExperiment.TEST_IMAGES),
                Path.of(TransferExperiment.DEBIAN_DIRECTORY, TransferExperiment.TEST_LABELS));

        assertThat(split.labeled()).isEqualTo(all.firstPerClass(50));
        assertThat(all.subset(split.labeledNumbers())).isEqualTo(split.labeled());
        assertThat(Arrays.stream(split.labeledNumbers()).max().orElseThrow()).isLessThan(5000);
        assertThat(split.test())
                .isEqualTo(all.subset(IntStream.range(5000, 7000).toArray()));
        assertThat(split.testNumber(0)).isEqualTo(5000);
        assertThat(split.testNumber(1999)).isEqualTo(6999);
        assertThat(split.train().count()).isEqualTo(400);
        assertThat(split.validation().count()).isEqualTo(100);
        assertThat(Arrays.stream(split.validation().labels()).distinct().count())
                .isEqualTo(10);
    }

    @Test
    void shouldRefuseLabelsThatReachTheTestImages() {
        assertThatThrownBy(() -> FewLabels.read(600, 2000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the first 600 images of each class reach image")
                .hasMessageContaining("use at most");
        assertThatThrownBy(() -> FewLabels.check(50, 6001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 6000 test images");
    }
}
