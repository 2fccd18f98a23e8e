package io.imgstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.imgstream.model.base.ImportedBase;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.weights.LoadedNetwork;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer probe on real Fashion-MNIST images (Debian's {@code dataset-fashion-mnist}) through a small untrained
 * CNN: random convolutions keep enough of the pixels for a linear probe to beat chance by far, while labels that
 * do not line up with their images would leave it near one in ten.
 */
class LayerProbeTest {

    private static final LayerProbe.Settings SETTINGS = new LayerProbe.Settings(10, 200, List.of(), 7);

    private static ImportedBase base;

    @BeforeAll
    static void buildBase() {
        LoadedNetwork network = new LoadedNetwork(SmallCnn.build(1, 28, 28, 10, 3), "0".repeat(64), "small CNN");
        base = ImportedBase.cut(
                "small-cnn",
                network,
                SmallCnn.POOL2,
                CNN2DFormat.NCHW,
                new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH));
    }

    @Test
    void shouldProbeEveryNonlinearOutputInNetworkOrderThenTheBestConcatenated() throws Exception {
        List<String> lines = new ArrayList<>();

        List<LayerProbe.Row> rows = new LayerProbe(lines::add).run(base, SETTINGS);

        assertThat(rows.subList(0, 4))
                .extracting(LayerProbe.Row::layer, LayerProbe.Row::features)
                .containsExactly(
                        tuple(SmallCnn.CONV1, 16),
                        tuple(SmallCnn.POOL1, 16),
                        tuple(SmallCnn.CONV2, 32),
                        tuple(SmallCnn.POOL2, 32));
        assertThat(rows).hasSize(4 + LayerProbe.CONCATENATED.size());
        LayerProbe.Row bestTwo = rows.get(4);
        List<String> parts = List.of(bestTwo.layer().split(" \\+ "));
        assertThat(parts).hasSize(2);
        assertThat(bestTwo.features())
                .isEqualTo(rows.subList(0, 4).stream()
                        .filter(row -> parts.contains(row.layer()))
                        .mapToInt(LayerProbe.Row::features)
                        .sum());
        double secondBestValidation = rows.subList(0, 4).stream()
                .mapToDouble(LayerProbe.Row::validationAccuracy)
                .sorted()
                .toArray()[2];
        assertThat(rows.subList(0, 4))
                .filteredOn(row -> parts.contains(row.layer()))
                .allSatisfy(row -> assertThat(row.validationAccuracy()).isGreaterThanOrEqualTo(secondBestValidation));
        assertThat(rows.get(5).features()).isEqualTo(16 + 16 + 32 + 32);
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.testAccuracy()).as(row.layer()).isGreaterThan(0.4);
            assertThat(LayerProbe.L2_STRENGTHS).contains(row.l2());
        });
        assertThat(lines).anyMatch(line -> line.contains("test images: 200 of 200"));

        StringWriter table = new StringWriter();
        LayerProbe.print(base, rows, SETTINGS, new PrintWriter(table, true));
        System.out.print(table);
        assertThat(table.toString())
                .contains("tested on images 6800-6999")
                .contains("| " + SmallCnn.CONV2 + " | 32 | ");
    }

    @Test
    void shouldProbeOnlyTheNamedLayersInNetworkOrderAndRefuseOnesTheNetworkLacks() {
        assertThat(LayerProbe.layersToProbe(base.graph(), List.of(SmallCnn.POOL2, SmallCnn.CONV1)))
                .containsExactly(SmallCnn.CONV1, SmallCnn.POOL2);
        assertThatThrownBy(() -> LayerProbe.layersToProbe(base.graph(), List.of("block_13_expand_relu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no layer block_13_expand_relu")
                .hasMessageContaining(SmallCnn.CONV2);
    }
}
