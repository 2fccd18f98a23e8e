package io.imgstream.training.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.demo.DemoModel;
import io.imgstream.images.FetchSettings;
import io.imgstream.images.fetch.NetworkRange;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TruncatedBase;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.training.labels.LabeledExample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Computing missing features: a label whose image can't be had is left out with its reason, never fatal. */
class FeatureBackfillTest {

    @TempDir
    Path temp;

    private FeatureExtractor extractor;
    private MockProducer<String, SpecificRecord> producer;

    @BeforeEach
    void setUp() {
        extractor = new FeatureExtractor(TruncatedBase.of(
                SmallCnn.build(1, 28, 28, 10, 5, DemoModel.NETWORK),
                SmallCnn.POOL2,
                "test-conv",
                DemoModel.PREPROCESSING));
        producer = new MockProducer<>(true, null, new StringSerializer(), (topic, record) -> new byte[0]);
    }

    @AfterEach
    void tearDown() {
        extractor.close();
    }

    @Test
    void shouldLeaveOutALabelWhoseUriTheLoaderRejectsWithoutAFetchRefusal() {
        // Port 99999, let through the port allow-list here, makes the HTTP client itself throw
        // (IllegalArgumentException), not the images module: before, that failed the refit, and every later one.
        FetchSettings http = new FetchSettings(
                List.of("http"),
                List.of(temp),
                List.of("127.0.0.1"),
                List.of(99999),
                // Loopback is refused unless allowed: allowed, so that the port is what fails.
                List.of(NetworkRange.parse("127.0.0.0/8")),
                Duration.ofSeconds(2),
                1 << 20,
                1_000_000L,
                Duration.ofSeconds(10));
        FeatureBackfill backfill = new FeatureBackfill(extractor, http.loader(), producer, "features");
        LabeledExample example = new LabeledExample(
                "img-1",
                "Bag",
                SplitHint.ANY,
                Optional.of("http://127.0.0.1:99999/bag.png"),
                Optional.empty(),
                Instant.now());
        Map<String, String> refused = new LinkedHashMap<>();

        List<LabeledExample> done = backfill.compute(List.of(example), (e, why) -> refused.put(e.imageId(), why));

        assertThat(done).isEmpty();
        assertThat(refused).containsOnlyKeys("img-1");
        assertThat(refused.get("img-1")).startsWith("FETCH_FAILED: ").contains("99999");
        assertThat(producer.history()).isEmpty();
    }
}
