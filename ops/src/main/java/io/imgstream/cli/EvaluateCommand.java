package io.imgstream.cli;

import io.imgstream.clients.publish.PublishProgress;
import io.imgstream.evaluation.EvaluationReport;
import io.imgstream.evaluation.ReplayBound;
import io.imgstream.evaluation.ReplayEvaluator;
import io.imgstream.evaluation.ReplayException;
import io.imgstream.evaluation.ReplayPlan;
import io.imgstream.evaluation.ReplayRun;
import io.imgstream.evaluation.VersionEvaluation;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.schemas.TopicRole;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.common.KafkaException;
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

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Mixin
    private ModelStoreOption store;

    @Mixin
    private ReplayOptions replay;

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
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Topic to replay (default: topic.images of --kafka-config, else 'images').")
    private String topic;

    @Option(
            names = "--feedback-topic",
            paramLabel = "TOPIC",
            description = "Topic of the labels (default: topic.feedback of --kafka-config, else 'feedback').")
    private String feedbackTopic;

    @Override
    public Integer call() throws Exception {
        String topic = connection.topic(this.topic, TopicRole.IMAGES);
        String feedbackTopic = connection.topic(this.feedbackTopic, TopicRole.FEEDBACK);
        List<ModelCoordinates> coordinates = coordinates();
        FileSystemModelStore modelStore = store.open();
        List<StoredBundle> stored = coordinates.stream()
                .map(c -> ModelsPromoteCommand.find(modelStore, c))
                .toList();
        ReplayBound start = replay.start();
        ReplayBound end = replay.end();
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        ReplayRun run = new ReplayRun(connection.clientProperties(), connection.serdes());
        ReplayPlan plan;
        Map<String, String> labels;
        try {
            plan = run.plan(topic, start, end);
            labels = run.labels(feedbackTopic);
        } catch (ReplayException e) {
            throw new CliException("Nothing to evaluate: " + e.getMessage(), CliException.BAD_ARGUMENT);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
        List<ModelBundle> bundles = new ArrayList<>();
        for (StoredBundle bundle : stored) {
            bundles.add(modelStore.load(bundle.uri(), bundle.sha256()));
        }
        PrintWriter out = spec.commandLine().getOut();
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
        ReplayRun.Request request = new ReplayRun.Request(
                topic,
                start,
                end,
                connection.topic(replay.resultsTopic(), TopicRole.EVAL_RESULTS),
                bundles,
                replay.loader(),
                replay::reportDirectory);
        ReplayRun.Outcome outcome;
        try (ProgressBar bar = PublishProgress.bar(
                "replaying", plan.records(), spec.commandLine().getErr())) {
            outcome = run.run(request, plan, labels, bar::stepTo);
        } catch (ReplayException e) {
            throw new CliException("The replay stopped: " + e.getMessage(), CliException.FAILED);
        } catch (KafkaException e) {
            throw new CliException(e.getMessage(), CliException.FAILED);
        }
        print(outcome, labels, request.resultsTopic(), out);
        return CliException.OK;
    }

    private static void print(
            ReplayRun.Outcome outcome, Map<String, String> labels, String resultsTopic, PrintWriter out) {
        ReplayEvaluator.Result result = outcome.result();
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
            List<VersionEvaluation> two = result.versions();
            out.printf(
                    "The two versions disagree on %d images.%n",
                    EvaluationReport.disagreements(two.get(0), two.get(1), labels)
                            .size());
        }
        if (!result.skipped().isEmpty()) {
            out.printf("Not scored: %s%n", result.skipped());
        }
        out.printf("Report: %s (run %s, summary on '%s')%n", outcome.report(), outcome.runId(), resultsTopic);
        out.flush();
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
}
