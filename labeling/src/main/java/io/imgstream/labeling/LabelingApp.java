package io.imgstream.labeling;

import io.imgstream.clients.label.LabelSender;
import io.imgstream.labeling.budget.LabelBudget;
import io.imgstream.labeling.intake.TopicIntake;
import io.imgstream.labeling.queue.LabelQueue;
import io.imgstream.labeling.web.LabelingServer;
import io.imgstream.schemas.RegistrySerdes;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The labeling page running: the intake reading the labeling-requests and feedback topics into a
 * {@link LabelingSession}, and the page serving it. {@link #close()} stops both.
 */
public final class LabelingApp implements AutoCloseable {

    /** How long a label may take to reach the broker before the page says it was not sent. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(20);

    private final TopicIntake intake;
    private final LabelingServer server;
    private final LabelingSession session;

    private LabelingApp(TopicIntake intake, LabelingServer server, LabelingSession session) {
        this.intake = intake;
        this.server = server;
        this.session = session;
    }

    /**
     * Starts reading the topics and serving the page.
     *
     * @param config           the page's settings
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param requestsTopic    the labeling-requests topic
     * @param feedbackTopic    the feedback topic
     * @throws IllegalArgumentException naming a topic that does not exist
     * @throws org.apache.kafka.common.config.ConfigException if the fetch settings are inconsistent
     * @throws java.io.UncheckedIOException if the address and port can't be bound
     */
    public static LabelingApp start(
            LabelingConfig config,
            Properties clientProperties,
            RegistrySerdes serdes,
            String requestsTopic,
            String feedbackTopic) {
        LabelSender sender = new LabelSender(producerProperties(clientProperties), serdes, feedbackTopic);
        LabelingSession session = new LabelingSession(
                new LabelQueue(
                        config.queueOrder(),
                        config.queueRandomShare(),
                        config.queueRandomSeed(),
                        config.queueMaxImages()),
                new LabelBudget(config.budgetPerHour(), config.budgetPerDay(), Clock.systemUTC()),
                feedback -> sender.send(List.of(feedback)),
                config.fetchSettings().loader(),
                config.labeler(),
                Clock.systemUTC());
        TopicIntake intake = new TopicIntake(clientProperties, serdes, requestsTopic, feedbackTopic, session);
        LabelingServer server;
        try {
            server = LabelingServer.start(session, config.httpBindAddress(), config.httpPort());
        } catch (RuntimeException e) {
            closeQuietly(intake);
            throw e;
        }
        intake.start();
        return new LabelingApp(intake, server, session);
    }

    /** A person waits for the answer of each label: bound the send so a broker away fails it in seconds. */
    private static Properties producerProperties(Properties clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() / 2);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() / 2);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        return props;
    }

    /** Where the page listens. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** What the page works on. */
    public LabelingSession session() {
        return session;
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        intake.close();
    }

    private static void closeQuietly(TopicIntake intake) {
        try {
            intake.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
