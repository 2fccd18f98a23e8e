package io.imgstream.cli;

import io.imgstream.evaluation.ReplayBound;
import io.imgstream.images.FetchSettings;
import io.imgstream.images.ImageLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/** The options of {@code imgstream evaluate} that say what is replayed and where its results go. */
final class ReplayOptions {

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
            description = "End of the range, exclusive; default: the end of the topic now.")
    private String to;

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

    /**
     * Where the range starts.
     *
     * @throws CliException if {@code --from} is neither a time nor an offset
     */
    ReplayBound start() {
        return bound(from, new ReplayBound.Beginning(), "--from");
    }

    /**
     * Where the range ends.
     *
     * @throws CliException if {@code --to} is neither a time nor an offset
     */
    ReplayBound end() {
        return bound(to, new ReplayBound.End(), "--to");
    }

    /** {@code --results-topic}, or null when not given. */
    String resultsTopic() {
        return resultsTopic;
    }

    /** The report's directory: {@code --report}, else {@code .imgstream/reports/RUN_ID}. */
    Path reportDirectory(String runId) {
        return reportDir != null ? reportDir : Path.of(".imgstream", "reports", runId);
    }

    private static ReplayBound bound(String text, ReplayBound defaultBound, String option) {
        try {
            return ReplayBound.parse(text, defaultBound);
        } catch (IllegalArgumentException e) {
            throw new CliException(option + ": " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }

    /**
     * How images are fetched: {@code file:} under the allowed roots and {@code inline}, default limits. The roots go
     * through the {@code fetch.*} definition, so they are validated as the scorer's are.
     *
     * @throws CliException if a root may not be one (the file system root, or under /proc, /sys or /dev)
     */
    ImageLoader loader() {
        List<String> roots = allowedRoots.stream()
                .map(p -> p.toAbsolutePath().normalize().toString())
                .toList();
        try {
            return FetchSettings.from(new AbstractConfig(
                            FetchSettings.define(new ConfigDef()),
                            Map.of(FetchSettings.ALLOWED_ROOTS_CONFIG, roots),
                            false))
                    .loader();
        } catch (ConfigException e) {
            throw new CliException("--allowed-root: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }
}
