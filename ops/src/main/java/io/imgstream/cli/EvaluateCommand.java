package io.imgstream.cli;

import io.imgstream.clients.publish.PublishProgress;
import io.imgstream.evaluation.EvalResultPublisher;
import io.imgstream.evaluation.EvaluationReport;
import io.imgstream.evaluation.ReplayBound;
import io.imgstream.evaluation.ReplayEvaluator;
import io.imgstream.evaluation.ReplayException;
import io.imgstream.evaluation.ReplayPlan;
import io.imgstream.evaluation.VersionEvaluation;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.TopicSnapshot;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream evaluate}: replays a range of the images topic through one or two stored model versions, outside
 * the live scorer, and reports how their predictions compare with the labels on {@code feedback}.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Replay a range of the images topic through a stored model version (or two, side by side), "
                + "join with the labels on 'feedback', and write a report (HTML, PNG plots, JSON) and an EvalResult.")
public final class EvaluateCommand implements Callable<Integer> {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Mixin
    private ModelStoreOption store;

    @ArgGroup(multiplicity = "1")
    private Versions versions;

    /** One version, or two to compare. */
    static final class Versions {
        @Option(names = "--model", paramLabel = "NAME:VERSION", description = "The version to evaluate.")
        private String model;

        @Option(
                names = "--compare",
                arity = "2",
                paramLabel = "NAME:VERSION",
                description = "Two versions to evaluate on the same range, side by side.")
        private List<String> compare;
    }

    @Option(
            names = "--from",
            paramLabel = "TIME|OFFSET",
            description = "Start of the range: an ISO-8601 time "
                    + "(2026-12-01T10:00:00Z) or an offset (on every partition); default: the earliest "
                    + "retained record.")
    private String from;

    @Option(
            names = "--to",
            paramLabel = "TIME|OFFSET",
            description = "End of the range, exclusive; default: the end of " + "the topic now.")
    private String to;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Topic to replay (default: topic.images of --kafka-config, else 'images').")
    private String topic;

    @Option(
            names = "--feedback-topic",
            paramLabel = "TOPIC",
            description = "Topic of the labels (default: topic.feedback of --kafka-config, else 'feedback').")
    private String feedbackTopic;

    @Option(
            names = "--results-topic",
            paramLabel = "TOPIC",
            description = "Topic the EvalResult summaries go to (default: topic.eval-results of --kafka-config, else "
                    + "'eval-results').")
    private String resultsTopic;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Report directory (default: .imgstream/reports/RUN_ID).")
    private Path reportDir;

    @Option(
            names = "--allowed-root",
            paramLabel = "DIR",
            description = "Directory images may be read from (repeatable).")
    private List<Path> allowedRoots = List.of();

    @Override
    public Integer call() throws Exception {
        String topic = connection.topic(this.topic, TopicRole.IMAGES);
        String feedbackTopic = connection.topic(this.feedbackTopic, TopicRole.FEEDBACK);
        String resultsTopic = connection.topic(this.resultsTopic, TopicRole.EVAL_RESULTS);
        List<ModelCoordinates> coordinates = coordinates();
        FileSystemModelStore modelStore = store.open();
        List<StoredBundle> stored = coordinates.stream()
                .map(c -> ModelsPromoteCommand.find(modelStore, c))
                .toList();
        ReplayBound start = bound(from, new ReplayBound.Beginning(), "--from");
        ReplayBound end = bound(to, new ReplayBound.End(), "--to");
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        PrintWriter out = spec.commandLine().getOut();
        String runId = UUID.randomUUID().toString();
        ReplayPlan plan;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                connection.clientProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            plan = ReplayPlan.resolve(consumer, topic, start, end);
        } catch (ReplayException e) {
            throw new CliException("Nothing to evaluate: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
        Map<String, String> labels = labels(feedbackTopic);
        List<ModelBundle> bundles = new ArrayList<>();
        List<Optional<TrainingCurves>> curves = new ArrayList<>();
        for (StoredBundle bundle : stored) {
            ModelBundle loaded = modelStore.load(bundle.uri(), bundle.sha256());
            bundles.add(loaded);
            curves.add(loaded.curves());
        }
        out.printf(
                "Replaying %d records of '%s' (%s to %s) through %s; %d labels on '%s'.%n",
                plan.records(),
                topic,
                start,
                end,
                String.join(
                        " and ",
                        coordinates.stream()
                                .map(c -> c.name() + " v" + c.version())
                                .toList()),
                labels.size(),
                feedbackTopic);
        out.flush();
        ReplayEvaluator.Result result;
        try (ProgressBar bar = PublishProgress.bar(
                "replaying", plan.records(), spec.commandLine().getErr())) {
            result = new ReplayEvaluator(connection.clientProperties(), connection.serdes(), fetch().loader())
                    .run(plan, labels, bundles, bar::stepTo);
        } catch (ReplayException e) {
            throw new CliException("The replay stopped: " + e.getMessage(), CliException.FAILED);
        }
        Path directory = reportDir != null ? reportDir : Path.of(".imgstream", "reports", runId);
        Path index = EvaluationReport.write(
                new EvaluationReport.Contents(runId, topic, start.toString(), end.toString(), result, curves, labels),
                directory.toAbsolutePath());
        try {
            new EvalResultPublisher(connection.clientProperties(), connection.serdes(), resultsTopic)
                    .publish(runId, topic, start, end, result, index.toUri());
        } catch (KafkaException e) {
            throw new CliException("The report is written (" + index + "), but " + e.getMessage(), CliException.FAILED);
        }
        for (VersionEvaluation version : result.versions()) {
            ClassificationReport report = version.report();
            out.printf(
                    Locale.ROOT,
                    "%s: accuracy %.3f on %d labeled images (%d correct) of %d scored%n",
                    version.name(),
                    report.accuracy(),
                    report.count(),
                    report.correct(),
                    result.scored().size());
        }
        if (result.versions().size() == 2) {
            out.printf(
                    "The two versions disagree on %d images.%n",
                    EvaluationReport.disagreements(
                                    result.versions().get(0), result.versions().get(1), labels)
                            .size());
        }
        if (!result.skipped().isEmpty()) {
            out.printf("Not scored: %s%n", result.skipped());
        }
        out.printf("Report: %s (run %s, summary on '%s')%n", index, runId, resultsTopic);
        out.flush();
        return CliException.OK;
    }

    private List<ModelCoordinates> coordinates() {
        List<String> given = versions.model != null ? List.of(versions.model) : versions.compare;
        List<ModelCoordinates> parsed = new ArrayList<>();
        for (String text : given) {
            parsed.add(ModelCoordinates.parse(text, null));
        }
        if (parsed.size() == 2 && parsed.get(0).equals(parsed.get(1))) {
            throw new CliException("--compare needs two different versions", CliException.BAD_ARGUMENT);
        }
        return parsed;
    }

    private static ReplayBound bound(String text, ReplayBound defaultBound, String option) {
        try {
            return ReplayBound.parse(text, defaultBound);
        } catch (IllegalArgumentException e) {
            throw new CliException(option + ": " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }

    private FetchSettings fetch() {
        return new FetchSettings(
                List.of("file", "inline"),
                allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList(),
                List.of(),
                Duration.ofMillis(FetchSettings.DEFAULT_HTTP_TIMEOUT_MS),
                FetchSettings.DEFAULT_MAX_BYTES,
                FetchSettings.DEFAULT_MAX_PIXELS);
    }

    private Map<String, String> labels(String feedbackTopic) {
        Map<String, String> labels = new HashMap<>();
        try {
            TopicSnapshot.latestByKey(
                            connection.clientProperties(),
                            connection.serdes(),
                            feedbackTopic,
                            LabelFeedback.class,
                            READ_TIMEOUT)
                    .values()
                    .forEach(feedback -> labels.put(
                            feedback.getImageId().toString(),
                            feedback.getLabel().toString().strip()));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
        return labels;
    }
}
