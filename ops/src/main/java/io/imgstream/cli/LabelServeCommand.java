package io.imgstream.cli;

import io.imgstream.labeling.LabelingApp;
import io.imgstream.labeling.LabelingConfig;
import io.imgstream.schemas.TopicRole;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream label serve}: the labeling page, until Ctrl-C. Settings come from a properties file, then
 * {@code --set}, then the dedicated flags, each overriding the one before.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a page to label the images the scorer was unsure of (the labeling-requests topic), one at a "
                    + "time, most uncertain first; each answer goes to the feedback topic. Runs until Ctrl-C.",
            "The images are read under the fetch.* policy the scorer applies: give the scorer's --config file or "
                    + "--allowed-root."
        })
public final class LabelServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Mixin
    private SettingsOptions settings;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description = "Address to listen on (http.bind.address, default 127.0.0.1). The page has no login.")
    private String bind;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port to listen on (http.port, default " + LabelingConfig.DEFAULT_HTTP_PORT
                    + "); 0: any free port, printed at start.")
    private Integer port;

    @Option(
            names = "--labeler",
            paramLabel = "NAME",
            description = "Who labels, unless the page names another (labeler, default: the user name).")
    private String labeler;

    @Option(
            names = "--order",
            paramLabel = "MEASURE",
            description = "entropy or margin: how the most uncertain image is found (queue.order, default "
                    + LabelingConfig.DEFAULT_QUEUE_ORDER + ").")
    private String order;

    @Option(
            names = "--random-share",
            paramLabel = "SHARE",
            description = "Share of images picked at random, 0 to 1 (queue.random.share, default "
                    + LabelingConfig.DEFAULT_QUEUE_RANDOM_SHARE + ").")
    private Double randomShare;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed of the random picks (queue.random.seed, default "
                    + LabelingConfig.DEFAULT_QUEUE_RANDOM_SEED + ").")
    private Long seed;

    @Option(
            names = "--max-queue",
            paramLabel = "N",
            description = "Most images waiting; past it the least useful are dropped (queue.max.images, default "
                    + LabelingConfig.DEFAULT_QUEUE_MAX_IMAGES + ").")
    private Integer maxQueue;

    @Option(
            names = "--budget-per-hour",
            paramLabel = "N",
            description = "Most labels in any hour (budget.per.hour, default 0: no limit).")
    private Integer budgetPerHour;

    @Option(
            names = "--budget-per-day",
            paramLabel = "N",
            description = "Most labels in any 24 hours (budget.per.day, default 0: no limit).")
    private Integer budgetPerDay;

    @Option(
            names = "--requests-topic",
            paramLabel = "TOPIC",
            description = "Labeling requests topic (default: topic.labeling-requests of --kafka-config, else "
                    + "'labeling-requests').")
    private String requestsTopic;

    @Option(
            names = "--feedback-topic",
            paramLabel = "TOPIC",
            description = "Feedback topic (default: topic.feedback of --kafka-config, else 'feedback').")
    private String feedbackTopic;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (settings.printedReference(out, LabelingConfig.CONFIG)) {
            return CliException.OK;
        }
        LabelingConfig config = config();
        String requests = connection.topic(requestsTopic, TopicRole.LABELING_REQUESTS);
        String feedback = connection.topic(feedbackTopic, TopicRole.FEEDBACK);
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "imgstream-label-serve-stop"));
        try (LabelingApp app = start(config, requests, feedback)) {
            out.printf(
                    "Labeling page at http://%s:%d/ (requests from '%s', labels to '%s'); Ctrl-C stops it.%n",
                    app.address().getHostString(), app.address().getPort(), requests, feedback);
            out.flush();
            stopped.await();
        }
        return CliException.OK;
    }

    private LabelingApp start(LabelingConfig config, String requests, String feedback) {
        try {
            return LabelingApp.start(config, connection.clientProperties(), connection.serdes(), requests, feedback);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    e.getMessage() + " at " + connection.bootstrapServers()
                            + "; 'imgstream topics create' creates the standard ones.",
                    CliException.BAD_ARGUMENT);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        } catch (UncheckedIOException e) {
            throw new CliException(e.getMessage(), CliException.PORT_TAKEN);
        }
    }

    private LabelingConfig config() throws IOException {
        Map<String, Object> props = settings.properties();
        putIfGiven(props, LabelingConfig.HTTP_BIND_ADDRESS_CONFIG, bind);
        putIfGiven(props, LabelingConfig.HTTP_PORT_CONFIG, port);
        putIfGiven(props, LabelingConfig.LABELER_CONFIG, labeler);
        putIfGiven(props, LabelingConfig.QUEUE_ORDER_CONFIG, order);
        putIfGiven(props, LabelingConfig.QUEUE_RANDOM_SHARE_CONFIG, randomShare);
        putIfGiven(props, LabelingConfig.QUEUE_RANDOM_SEED_CONFIG, seed);
        putIfGiven(props, LabelingConfig.QUEUE_MAX_IMAGES_CONFIG, maxQueue);
        putIfGiven(props, LabelingConfig.BUDGET_PER_HOUR_CONFIG, budgetPerHour);
        putIfGiven(props, LabelingConfig.BUDGET_PER_DAY_CONFIG, budgetPerDay);
        try {
            LabelingConfig config = new LabelingConfig(props);
            config.fetchSettings();
            return config;
        } catch (ConfigException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }

    private static void putIfGiven(Map<String, Object> props, String key, Object value) {
        if (value != null) {
            props.put(key, value);
        }
    }
}
