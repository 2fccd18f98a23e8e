package io.imgstream.cli;

import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.schemas.TopicRole;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream score}: runs the scoring topology until stopped. Settings come from a properties file,
 * then {@code --set}, then the dedicated flags, each overriding the one before.
 */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description =
                "Run the scoring topology (Kafka Streams) until stopped with Ctrl-C, or until it fails (exit code 12).")
public final class ScoreCommand implements Callable<Integer> {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @Spec
    private CommandSpec spec;

    @Mixin
    private RunOptions run;

    @Option(
            names = "--model-bundle",
            paramLabel = "PATH",
            description = "Model bundle file to start with; the "
                    + "control topic's current version of the model wins when there is one.")
    private Path modelBundle;

    @Option(
            names = "--model-name",
            paramLabel = "NAME",
            description = "Model to score with, as on the control topic (default: the bundle's).")
    private String modelName;

    @Option(
            names = "--store",
            paramLabel = "DIR",
            description = "Model store root, the only place announced bundles are read from (model.store, default "
                    + ModelStoreOption.DEFAULT_STORE + ").")
    private Path store;

    @Override
    public Integer call() throws Exception {
        if (run.printedReference(spec.commandLine().getOut(), ScorerConfig.CONFIG)) {
            return CliException.OK;
        }
        ScorerConfig config = config();
        ModelBundle bundle = config.modelBundle().isEmpty() ? null : loadBundle(config);
        Reachability.requireBroker(run.connection());
        Reachability.requireRegistry(run.connection());
        PrintWriter out = spec.commandLine().getOut();
        try (StopSignal stop = new StopSignal("imgstream-score-shutdown");
                ScorerApp app = start(config, bundle)) {
            if (!app.awaitRunning(START_TIMEOUT)) {
                throw new CliException(
                        app.failureReason()
                                .map(reason -> "The scorer stopped while starting: " + reason + "; see the log above.")
                                .orElse("The scorer did not reach RUNNING within " + START_TIMEOUT.toSeconds()
                                        + " s (state " + app.state() + "); see the log above."),
                        CliException.FAILED);
            }
            out.printf(
                    "Scoring '%s' with model %s v%d as application '%s', batches of up to %d images "
                            + "(linger %d ms). Ctrl-C stops.%n",
                    config.topics().name(TopicRole.IMAGES),
                    app.model().name(),
                    app.model().version(),
                    config.applicationId(),
                    app.batchSize(),
                    app.batching().linger().toMillis());
            String key = config.getString(ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG);
            out.println(
                    key.isEmpty()
                            ? "Announcements on the control topic are not checked for signatures."
                            : "Only announcements signed with the key of " + key + " are adopted.");
            if (app.prometheusPort() >= 0) {
                out.printf(
                        "Metrics: http://127.0.0.1:%d/metrics (Prometheus), JMX domain %s%n",
                        app.prometheusPort(), MetricsExporters.JMX_DOMAIN);
            }
            out.flush();
            if (stop.await(app, run.duration())) {
                throw new CliException(
                        "The scorer stopped: " + app.failureReason().orElse("Kafka Streams is " + app.state())
                                + "; see the log above.",
                        CliException.FAILED);
            }
        }
        out.println("Scorer stopped.");
        return 0;
    }

    private static ScorerApp start(ScorerConfig config, ModelBundle bundle) {
        try {
            return ScorerApp.start(config, bundle);
        } catch (ConfigException e) {
            throw new CliException("Can't start the scorer: " + e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
    }

    /** Loads the model first, so a bad bundle is reported before any connection is tried. */
    private static ModelBundle loadBundle(ScorerConfig config) {
        try {
            return ScorerApp.loadBundle(config);
        } catch (ConfigException e) {
            throw new CliException("Can't start the scorer: " + e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
    }

    private ScorerConfig config() throws IOException {
        Map<String, Object> props = run.properties();
        if (modelBundle != null) {
            props.put(ScorerConfig.MODEL_BUNDLE_CONFIG, modelBundle.toString());
        }
        if (modelName != null) {
            props.put(ScorerConfig.MODEL_NAME_CONFIG, modelName);
        }
        if (store != null) {
            props.put(ScorerConfig.MODEL_STORE_CONFIG, store.toAbsolutePath().toString());
        }
        RunOptions.defaultSigningKey(
                props,
                ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG,
                run.stackSigningKeys().existingPublicKey());
        try {
            return new ScorerConfig(props);
        } catch (ConfigException e) {
            throw new CliException("Invalid scorer configuration: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }
}
