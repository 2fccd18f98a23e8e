package io.imgstream.it;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Publishes {@code count} image references with unique ids, one every {@code interval}, on a background thread,
 * each sent synchronously: an id is recorded only once the broker acknowledged it, so a test that checks every
 * recorded id for a prediction checks every image the stream really published, whatever happened to the broker
 * meanwhile.
 */
final class SteadyStream implements AutoCloseable {

    private static final Duration OUTAGE_PATIENCE = Duration.ofSeconds(60);

    private final Thread thread;
    private final List<String> ids = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private SteadyStream(
            ScoringFixture fixture,
            RegistrySerdes serdes,
            List<Path> files,
            int count,
            Duration interval,
            String prefix) {
        thread = new Thread(() -> publish(fixture, serdes, files, count, interval, prefix), prefix + "-publisher");
        thread.setDaemon(true);
    }

    /** Starts publishing {@code count} references to the fixture's images topic, cycling through {@code files}. */
    static SteadyStream start(
            ScoringFixture fixture,
            RegistrySerdes serdes,
            List<Path> files,
            int count,
            Duration interval,
            String prefix) {
        SteadyStream stream = new SteadyStream(fixture, serdes, files, count, interval, prefix);
        stream.thread.start();
        return stream;
    }

    /** How many references the broker has acknowledged so far. */
    int published() {
        synchronized (ids) {
            return ids.size();
        }
    }

    /**
     * Waits until every reference is published and returns their ids in publishing order.
     *
     * @throws IllegalStateException if publishing failed or did not finish within {@code timeout}
     */
    List<String> awaitAll(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (failure.get() != null) {
            throw new IllegalStateException("publishing failed after " + published() + " images", failure.get());
        }
        if (thread.isAlive()) {
            throw new IllegalStateException(
                    "publishing did not finish within " + timeout + ": " + published() + " sent");
        }
        synchronized (ids) {
            return List.copyOf(ids);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    private void publish(
            ScoringFixture fixture,
            RegistrySerdes serdes,
            List<Path> files,
            int count,
            Duration interval,
            String prefix) {
        Properties client = new Properties();
        client.putAll(fixture.clientProperties());
        // An upstream app that must ride out a broker restart waits for metadata longer than the CLI's 15 s; on a
        // loaded machine the outage tests' restarts took longer than that.
        client.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) OUTAGE_PATIENCE.toMillis());
        try (ImagePublisher publisher =
                new ImagePublisher(client, serdes, fixture.topics().name(TopicRole.IMAGES))) {
            for (int i = 0; i < count; i++) {
                String id = DemoImageIds.publish(publisher, files, i, prefix);
                synchronized (ids) {
                    ids.add(id);
                }
                Thread.sleep(interval.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure.set(e);
        }
    }
}
