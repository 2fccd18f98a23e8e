package io.imgstream.cli;

import io.imgstream.control.UnreadableVersionsException;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.schemas.TopicRole;
import io.imgstream.training.TrainingWorker;
import io.imgstream.training.TrainingWorkerConfig;
import io.imgstream.training.base.BasePreset;
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
 * {@code imgstream train}: runs the training worker until stopped. Settings come from a properties file, then
 * {@code --set}, then the dedicated flags, each overriding the one before.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Run the training worker until stopped with Ctrl-C: labels from 'feedback' "
                + "→ head refit → evaluation gate → new version on the control topic.")
public final class TrainCommand implements Callable<Integer> {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @Spec
    private CommandSpec spec;

    @Mixin
    private RunOptions run;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Model to train (model.name).")
    private String modelName;

    @Option(
            names = "--base",
            paramLabel = "BASE",
            description =
                    "A stored base by name or id, as 'imgstream bases pull|import' stored it (base.preset=stored, "
                            + "base.name).")
    private String base;

    @Option(
            names = "--base-store",
            paramLabel = "DIR",
            description = "Base store root (base.store, default .imgstream/bases).")
    private Path baseStore;

    @Option(names = "--base-weights", paramLabel = "FILE", description = "Weights of the base (base.weights).")
    private Path baseWeights;

    @Option(
            names = "--store",
            paramLabel = "DIR",
            description = "Model store root (model.store, default .imgstream/models).")
    private Path store;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (run.printedReference(out, TrainingWorkerConfig.CONFIG)) {
            return CliException.OK;
        }
        TrainingWorkerConfig config = config();
        Reachability.requireBroker(run.connection());
        Reachability.requireRegistry(run.connection());
        try (StopSignal stop = new StopSignal("imgstream-train-shutdown");
                TrainingWorker worker = start(config, out)) {
            if (!worker.awaitRunning(START_TIMEOUT)) {
                throw new CliException(
                        "The training worker did not reach RUNNING within " + START_TIMEOUT.toSeconds() + " s (state "
                                + worker.state() + "); see the log above.",
                        CliException.FAILED);
            }
            out.printf(
                    "Training '%s' on base %s from '%s'; refit every %d labels or %d s. Ctrl-C stops.%n",
                    config.modelName(),
                    worker.base().id(),
                    config.topics().name(TopicRole.FEEDBACK),
                    config.refitTrigger().everyLabels(),
                    config.refitTrigger().interval().toSeconds());
            String key = config.getString(TrainingWorkerConfig.MODEL_SIGNATURE_PRIVATE_KEY_CONFIG);
            out.println(
                    key.isEmpty()
                            ? "Announcements are not signed: scorers that check signatures will refuse them."
                            : "Announcements are signed with " + key + ".");
            if (worker.prometheusPort() >= 0) {
                out.printf(
                        "Metrics: http://127.0.0.1:%d/metrics (Prometheus), JMX domain %s%n",
                        worker.prometheusPort(), MetricsExporters.JMX_DOMAIN);
            }
            out.flush();
            if (stop.await(worker, run.duration())) {
                throw new CliException(
                        "The training worker stopped: "
                                + worker.failureReason().orElse("Kafka Streams is " + worker.state())
                                + "; see the log above.",
                        CliException.FAILED);
            }
        }
        out.println("Training worker stopped.");
        return CliException.OK;
    }

    private static TrainingWorker start(TrainingWorkerConfig config, PrintWriter out) {
        try {
            return TrainingWorker.start(config, line -> {
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
            });
        } catch (ConfigException | IllegalArgumentException | UnreadableVersionsException e) {
            // A base that does not load, a control topic that does not exist, or one whose record of the model can't
            // be read.
            throw new CliException("Can't start the training worker: " + e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
    }

    private TrainingWorkerConfig config() throws IOException {
        Map<String, Object> props = run.properties();
        if (modelName != null) {
            props.put(TrainingWorkerConfig.MODEL_NAME_CONFIG, modelName);
        }
        if (base != null) {
            props.put(TrainingWorkerConfig.BASE_PRESET_CONFIG, BasePreset.STORED.configName());
            props.put(TrainingWorkerConfig.BASE_NAME_CONFIG, base);
        }
        if (baseStore != null) {
            props.put(
                    TrainingWorkerConfig.BASE_STORE_CONFIG,
                    baseStore.toAbsolutePath().toString());
        }
        if (baseWeights != null) {
            props.put(
                    TrainingWorkerConfig.BASE_WEIGHTS_CONFIG,
                    baseWeights.toAbsolutePath().toString());
        }
        if (store != null) {
            props.put(
                    TrainingWorkerConfig.MODEL_STORE_CONFIG,
                    store.toAbsolutePath().toString());
        }
        RunOptions.defaultSigningKey(
                props,
                TrainingWorkerConfig.MODEL_SIGNATURE_PRIVATE_KEY_CONFIG,
                run.stackSigningKeys().existingPrivateKey());
        try {
            return new TrainingWorkerConfig(props);
        } catch (ConfigException e) {
            throw new CliException(
                    "Invalid training worker configuration: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }
}
