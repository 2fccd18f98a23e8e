package io.imgstream.cli;

import io.imgstream.clients.label.LabelCsv;
import io.imgstream.clients.label.LabelSender;
import io.imgstream.clients.label.Labels;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream label}: sends LabelFeedback for one image, or for every row of a CSV file. */
@Command(
        name = "label",
        mixinStandardHelpOptions = true,
        description = {
            "Send labels to the feedback topic, keyed by image id; a later label for an image replaces the earlier.",
            "One image: imgstream label IMAGE_ID LABEL. Many: imgstream label --csv FILE, with a header row naming "
                    + "the columns image_id and label, and optionally uri, split (any, train, holdout) and confidence.",
            "A page to label the images the scorer was unsure of: imgstream label serve."
        },
        subcommands = LabelServeCommand.class)
public final class LabelCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "IMAGE_ID",
            description = "Image id, as on the images topic (e.g. '2f3bc5425617a3e48bc8').")
    private String imageId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "LABEL", description = "The image's class (e.g. 'Sandal').")
    private String label;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV file of labels (see above).")
    private Path csv;

    @Option(
            names = "--uri",
            paramLabel = "URI",
            description = "Where the image is, if the worker may need to fetch it.")
    private String uri;

    @Option(
            names = "--split",
            paramLabel = "SPLIT",
            defaultValue = "any",
            description = "Where the example should go: any, train or holdout (default: ${DEFAULT-VALUE}).")
    private String split;

    @Option(
            names = "--labeler",
            paramLabel = "NAME",
            defaultValue = "${sys:user.name}",
            description = "Who labels (default: the user name).")
    private String labeler;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Feedback topic (default: topic.feedback of --kafka-config, else 'feedback').")
    private String topic;

    @Override
    public Integer call() throws IOException, InterruptedException {
        String topic = connection.topic(this.topic, TopicRole.FEEDBACK);
        List<LabelFeedback> labels = csv != null ? fromCsv() : List.of(single());
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        try {
            new LabelSender(connection.clientProperties(), connection.serdes(), topic).send(labels);
        } catch (KafkaException e) {
            throw new CliException("Sending labels failed: " + e.getMessage(), CliException.BROKER_UNREACHABLE);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Sent %d label(s) to '%s' at %s.%n", labels.size(), topic, connection.bootstrapServers());
        out.flush();
        return CliException.OK;
    }

    private LabelFeedback single() {
        if (imageId == null || label == null) {
            throw new CliException("Give IMAGE_ID and LABEL, or --csv FILE", CliException.BAD_ARGUMENT);
        }
        try {
            return Labels.of(imageId, label, uri, split, 1.0f, labeler, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }

    private List<LabelFeedback> fromCsv() throws IOException {
        if (imageId != null) {
            throw new CliException("Give either IMAGE_ID LABEL or --csv FILE, not both", CliException.BAD_ARGUMENT);
        }
        try {
            return LabelCsv.read(csv, labeler, Instant.now());
        } catch (NoSuchFileException e) {
            throw new CliException("No such file: " + csv, CliException.BAD_ARGUMENT);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }
}
