package io.imgstream.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream label}: sends LabelFeedback for one image, or for every row of a CSV file. */
@Command(name = "label",
        mixinStandardHelpOptions = true,
        description = {
            "Send labels to the feedback topic, keyed by image id; a later label for an image replaces the earlier.",
            "One image: imgstream label IMAGE_ID LABEL. Many: imgstream label --csv FILE, with a header row naming "
                    + "the columns image_id and label, and optionally uri, split (any, train, holdout) and confidence."
        })
public final class LabelCommand implements Callable<Integer> {

    private static final String IMAGE_ID_COLUMN = "image_id";
    private static final String LABEL_COLUMN = "label";
    private static final String URI_COLUMN = "uri";
    private static final String SPLIT_COLUMN = "split";
    private static final String CONFIDENCE_COLUMN = "confidence";

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE_ID",
            description = "Image id, as on the images topic (e.g. '2f3bc5425617a3e48bc8').")
    private String imageId;

    @Parameters(index = "1", arity = "0..1", paramLabel = "LABEL", description = "The image's class (e.g. 'Sandal').")
    private String label;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV file of labels (see above).")
    private Path csv;

    @Option(names = "--uri", paramLabel = "URI", description = "Where the image is, if the worker may need to fetch it.")
    private String uri;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "any",
            description = "Where the example should go: any, train or holdout (default: ${DEFAULT-VALUE}).")
    private String split;

    @Option(names = "--labeler", paramLabel = "NAME", defaultValue = "${sys:user.name}",
            description = "Who labels (default: the user name).")
    private String labeler;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "feedback",
            description = "Feedback topic (default: ${DEFAULT-VALUE}).")
    private String topic = TopicRole.FEEDBACK.defaultName();

    @Override
    public Integer call() throws IOException {
        List<LabelFeedback> labels = csv != null ? fromCsv() : List.of(single());
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(connection.clientProperties(),
                new StringSerializer(), connection.serdes().valueSerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (LabelFeedback feedback : labels) {
                sends.add(producer.send(new ProducerRecord<>(topic, feedback.getImageId().toString(), feedback)));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                await(send);
            }
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
        return feedback(imageId, label, uri, split, 1.0f);
    }

    private List<LabelFeedback> fromCsv() throws IOException {
        if (imageId != null) {
            throw new CliException("Give either IMAGE_ID LABEL or --csv FILE, not both", CliException.BAD_ARGUMENT);
        }
        List<LabelFeedback> labels = new ArrayList<>();
        CsvMapper mapper = new CsvMapper();
        try (Reader reader = Files.newBufferedReader(csv);
             MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class)
                     .with(CsvSchema.emptySchema().withHeader()).readValues(reader)) {
            int line = 1;
            while (rows.hasNext()) {
                line++;
                Map<String, String> row = rows.next();
                String id = row.get(IMAGE_ID_COLUMN);
                String rowLabel = row.get(LABEL_COLUMN);
                if (id == null || id.isBlank() || rowLabel == null || rowLabel.isBlank()) {
                    throw new CliException(csv + " line " + line + ": needs an " + IMAGE_ID_COLUMN + " and a "
                            + LABEL_COLUMN + " (the header row must name them)", CliException.BAD_ARGUMENT);
                }
                labels.add(feedback(id, rowLabel, row.get(URI_COLUMN), row.getOrDefault(SPLIT_COLUMN, "any"),
                        confidence(row.get(CONFIDENCE_COLUMN), line)));
            }
        } catch (NoSuchFileException e) {
            throw new CliException("No such file: " + csv, CliException.BAD_ARGUMENT);
        } catch (RuntimeException e) {
            if (e instanceof CliException) {
                throw e;
            }
            throw new CliException(csv + " is not a CSV file with a header row: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
        if (labels.isEmpty()) {
            throw new CliException(csv + " has no label rows", CliException.BAD_ARGUMENT);
        }
        return labels;
    }

    private float confidence(String text, int line) {
        if (text == null || text.isBlank()) {
            return 1.0f;
        }
        try {
            float value = Float.parseFloat(text);
            if (value >= 0 && value <= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new CliException(csv + " line " + line + ": confidence '" + text + "' is not a number in [0, 1]",
                CliException.BAD_ARGUMENT);
    }

    private LabelFeedback feedback(String id, String className, String imageUri, String splitText, float confidence) {
        return LabelFeedback.newBuilder()
                .setImageId(id)
                .setUri(imageUri == null || imageUri.isBlank() ? null : imageUri)
                .setLabel(className)
                .setLabeler(labeler)
                .setConfidence(confidence)
                .setTime(Instant.now())
                .setSplit(splitOf(splitText))
                .build();
    }

    private static SplitHint splitOf(String text) {
        try {
            return SplitHint.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException("'" + text + "' is not a split: give any, train or holdout", CliException.BAD_ARGUMENT);
        }
    }

    private static void await(Future<RecordMetadata> send) {
        try {
            send.get();
        } catch (ExecutionException e) {
            throw new CliException("Sending labels failed: " + e.getCause().getMessage(), CliException.BROKER_UNREACHABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while sending labels", CliException.INTERRUPTED);
        }
    }
}
