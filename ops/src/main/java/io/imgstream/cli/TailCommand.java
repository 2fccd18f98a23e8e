package io.imgstream.cli;

import io.imgstream.clients.tail.RecordLines;
import io.imgstream.clients.tail.TopicTail;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream tail TOPIC}: prints a topic's records as they arrive. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = "Print a topic's records as they arrive (committed records only).")
public final class TailCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Parameters(
            paramLabel = "TOPIC",
            description = "Topic to read (e.g. 'predictions', 'images-dlq', 'model-versions').")
    private String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest retained record instead of new ones.")
    private boolean fromBeginning;

    @Option(
            names = "--max-records",
            paramLabel = "N",
            defaultValue = "9223372036854775807",
            description = "Stop after N records (default: no limit).")
    private long maxRecords;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "P365D",
            description = "Stop when nothing arrived for this long, ISO-8601 (e.g. PT30S; default: a year).")
    private Duration idleTimeout;

    @Override
    public Integer call() {
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        PrintWriter out = spec.commandLine().getOut();
        TopicTail tail;
        try {
            tail = new TopicTail(connection.clientProperties(), connection.serdes(), List.of(topic), fromBeginning);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    "Topic '" + topic + "' does not exist at " + connection.bootstrapServers()
                            + "; 'imgstream topics create' creates the standard ones.",
                    CliException.BAD_ARGUMENT);
        }
        try (tail) {
            tail.follow(
                    maxRecords,
                    idleTimeout,
                    record -> {
                        out.println(RecordLines.format(record.value()));
                        out.flush();
                    },
                    problem -> spec.commandLine().getErr().println("skipped undecodable record " + problem));
        }
        return 0;
    }
}
