package io.imgstream.topology;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.schemas.AvroTrust;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.topology.metrics.MetricsExporters;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.BundleScorer;
import io.imgstream.topology.scoring.ImageScorer;
import io.imgstream.topology.scoring.ModelIdentity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scorer: the scoring topology inside a {@link KafkaStreams} instance, with its model loaded.
 *
 * <p>A failure of a stream thread (broker or registry unreachable, say) is logged and the thread replaced,
 * so the instance resumes when the infrastructure comes back; records are never skipped.
 */
public final class ScorerApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerApp.class);

    private final KafkaStreams streams;
    private final ImageScorer scorer;
    private final ScorerMetrics metrics;
    private final MetricsExporters exporters;

    private ScorerApp(KafkaStreams streams, ImageScorer scorer, ScorerMetrics metrics, MetricsExporters exporters) {
        this.streams = streams;
        this.scorer = scorer;
        this.metrics = metrics;
        this.exporters = exporters;
    }

    /** Loads the configured bundle and starts scoring. */
    public static ScorerApp start(ScorerConfig config) {
        return start(config, new BundleScorer(loadBundle(config)));
    }

    /** Starts scoring with {@code scorer}; the app closes it on {@link #close()}. */
    public static ScorerApp start(ScorerConfig config, ImageScorer scorer) {
        AvroTrust.requireTrusted();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(config.registryUrl());
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), scorer::model);
        MetricsExporters exporters = MetricsExporters.start(metrics.registry(), config.metricsJmxEnabled(),
                config.metricsPrometheusPort());
        KafkaStreams streams = new KafkaStreams(ScoringTopology.build(config, serdes, scorer, metrics),
                config.streamsProperties());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread failed; replacing it. Cause: {}", e.toString(), e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        return new ScorerApp(streams, scorer, metrics, exporters);
    }

    /**
     * Reads the bundle named by {@link ScorerConfig#MODEL_BUNDLE_CONFIG}, verifying its sha256 first when
     * {@link ScorerConfig#MODEL_BUNDLE_SHA256_CONFIG} is set.
     *
     * @throws ConfigException naming the setting, if the bundle is missing, unreadable or fails verification
     */
    public static ModelBundle loadBundle(ScorerConfig config) {
        String location = config.modelBundle();
        Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        path = path.toAbsolutePath().normalize();
        try {
            return config.modelBundleSha256().isEmpty()
                    ? BundleFile.readUnverified(path)
                    : BundleFile.readVerified(path, config.modelBundleSha256());
        } catch (RuntimeException e) {
            throw new ConfigException(ScorerConfig.MODEL_BUNDLE_CONFIG, location, e.getMessage());
        }
    }

    /** The model every prediction of this instance is attributed to. */
    public ModelIdentity model() {
        return scorer.model();
    }

    /** This instance's metrics. */
    public ScorerMetrics metrics() {
        return metrics;
    }

    /** Port of the Prometheus endpoint on 127.0.0.1, or -1 when disabled. */
    public int prometheusPort() {
        return exporters.prometheusPort();
    }

    /** The Kafka Streams state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Waits until the instance is RUNNING (or failed).
     *
     * @return whether it is running
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Stops processing (committing what was processed) and releases the model. */
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        exporters.close();
        scorer.close();
    }
}
