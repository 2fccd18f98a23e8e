package io.imgstream.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.imgstream.runtime.metrics.MetricsExporters;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class BackgroundThreadsTest {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final Logger logger = (Logger) LoggerFactory.getLogger(BackgroundThreads.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @TempDir
    Path stateDir;

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(logged);
    }

    @Test
    void shouldLogCountFailReadinessAndCloseStreamsWhenABackgroundThreadDies() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        Meter failures = registry.meter("imgstream.test.background.thread.failures");
        BackgroundThreads background = new BackgroundThreads(failures::mark);
        KafkaStreams streams = new KafkaStreams(passThrough(), streamsConfig());
        try (MetricsExporters exporters = MetricsExporters.start(registry, false, "127.0.0.1", 0);
                StreamsApplication app = application(streams, exporters, background)) {
            exporters.readiness(app::notReadyReason);
            StreamsLifecycle.closeOnFailure(streams, background, CLOSE_TIMEOUT);
            streams.start();

            background.start("imgstream-test-loop", () -> {
                throw new OutOfMemoryError("Java heap space");
            });

            await().atMost(Duration.ofSeconds(30)).until(() -> streams.state() == KafkaStreams.State.NOT_RUNNING);
            assertThat(app.hasStopped()).isTrue();
            assertThat(app.failureReason())
                    .hasValue("background thread 'imgstream-test-loop' died of java.lang.OutOfMemoryError: "
                            + "Java heap space");
            HttpResponse<String> ready = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporters.prometheusPort()
                                            + MetricsExporters.READY_PATH))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("imgstream-test-loop", "OutOfMemoryError");
            assertThat(failures.getCount()).isEqualTo(1);
            assertThat(logged.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getFormattedMessage()).contains("imgstream-test-loop");
                assertThat(event.getThrowableProxy().getClassName()).isEqualTo(OutOfMemoryError.class.getName());
            });
        }
    }

    @Test
    void shouldTellAListenerAddedAfterTheFailureAtOnce() {
        BackgroundThreads background = new BackgroundThreads(() -> {});
        background.start("imgstream-test-loop", () -> {
            throw new IllegalStateException("boom");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> background.failure().isPresent());

        AtomicReference<BackgroundThreads.Failure> told = new AtomicReference<>();
        background.onFailure(told::set);

        assertThat(told.get()).isNotNull();
        assertThat(told.get().thread()).isEqualTo("imgstream-test-loop");
        assertThat(told.get().cause()).hasMessage("boom");
    }

    @Test
    void shouldTreatOnlyTroubleOfTheJvmOrOfLinkingAsFatal() {
        assertThat(BackgroundThreads.isFatal(new OutOfMemoryError())).isTrue();
        assertThat(BackgroundThreads.isFatal(new StackOverflowError())).isTrue();
        assertThat(BackgroundThreads.isFatal(new NoClassDefFoundError("org/nd4j/Nd4j")))
                .isTrue();
        assertThat(BackgroundThreads.isFatal(new AssertionError("shape check"))).isFalse();
        assertThat(BackgroundThreads.isFatal(new IllegalStateException())).isFalse();
    }

    private static StreamsApplication application(
            KafkaStreams streams, MetricsExporters exporters, BackgroundThreads background) {
        return new StreamsApplication() {
            @Override
            public Parts parts() {
                return new Parts(streams, exporters, background);
            }

            @Override
            public void close() {
                streams.close(CLOSE_TIMEOUT);
            }
        };
    }

    private static Topology passThrough() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        return builder.build();
    }

    /** No broker listens: Kafka Streams keeps trying to join, which is all this test needs of it. */
    private Properties streamsConfig() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "background-threads-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + freePort);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        config.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        return config;
    }
}
