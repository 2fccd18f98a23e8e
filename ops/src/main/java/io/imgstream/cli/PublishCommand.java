package io.imgstream.cli;

import io.imgstream.clients.publish.ImageFiles;
import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.publish.PublishProgress;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream publish PATH...}: publishes image files and folders as ImageRef events. */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description = "Publish image files or folders (walked recursively) as ImageRef events.")
public final class PublishCommand implements Callable<Integer> {

    /** Kafka's default max.message.bytes is 1 MB; inline images must fit in one record. */
    static final long MAX_INLINE_BYTES = 1000 * 1024;

    private static final int LIST_LIMIT = 20;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Parameters(
            paramLabel = "PATH",
            arity = "1..*",
            description = "Image files or folders (e.g. 'photos/' or 'cat.jpg').")
    private List<Path> paths;

    @Option(
            names = "--inline",
            description = "Put the image bytes in the event instead of a file:// URI (under 1000 KiB each).")
    private boolean inline;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Topic to publish to (default: topic.images of --kafka-config, else 'images').")
    private String topic;

    @Option(
            names = "--source",
            defaultValue = "imgstream-cli",
            description = "Source recorded in each event (default: ${DEFAULT-VALUE}).")
    private String source;

    @Override
    public Integer call() throws IOException {
        String topic = connection.topic(this.topic, TopicRole.IMAGES);
        PrintWriter out = spec.commandLine().getOut();
        List<Path> files = findFiles();
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        List<ImageRef> refs = new ArrayList<>(files.size());
        try (ImagePublisher publisher = new ImagePublisher(connection.clientProperties(), connection.serdes(), topic);
                ProgressBar bar = PublishProgress.bar(
                        "Publishing", files.size(), spec.commandLine().getErr())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>(files.size());
            for (Path file : files) {
                ImageRef ref = ImageRefs.of(file, inline, source, Instant.now());
                refs.add(ref);
                sends.add(publisher.publish(ref));
                bar.step();
            }
            publisher.flush();
            awaitAll(sends);
        }
        spec.commandLine().getErr().println();
        out.printf(
                "Published %d image reference(s) to '%s' at %s.%n", refs.size(), topic, connection.bootstrapServers());
        refs.stream()
                .limit(LIST_LIMIT)
                .forEach(ref -> out.printf(
                        "  %s  %s%n", ref.getId(), ref.getAttributes().get(ImageRefs.FILENAME_ATTRIBUTE)));
        if (refs.size() > LIST_LIMIT) {
            out.printf("  ... and %d more%n", refs.size() - LIST_LIMIT);
        }
        return 0;
    }

    private List<Path> findFiles() throws IOException {
        List<Path> files;
        try {
            files = ImageFiles.find(paths);
        } catch (NoSuchFileException e) {
            throw new CliException("No such file or folder: " + e.getFile(), CliException.BAD_ARGUMENT);
        }
        if (files.isEmpty()) {
            throw new CliException(
                    "No image files (" + String.join(", ", ImageFiles.IMAGE_EXTENSIONS) + ") under " + paths,
                    CliException.BAD_ARGUMENT);
        }
        if (inline) {
            for (Path file : files) {
                if (Files.size(file) > MAX_INLINE_BYTES) {
                    throw new CliException(
                            String.format(
                                    "%s is %.1f KiB; inline images must be under %d KiB. "
                                            + "Publish it without --inline (as a file:// reference).",
                                    file, Files.size(file) / 1024.0, MAX_INLINE_BYTES / 1024),
                            CliException.BAD_ARGUMENT);
                }
            }
        }
        return files;
    }

    private static void awaitAll(List<Future<RecordMetadata>> sends) {
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                throw new CliException(
                        "Publishing failed: " + e.getCause().getMessage(), CliException.BROKER_UNREACHABLE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("Interrupted while publishing", CliException.INTERRUPTED);
            }
        }
    }
}
