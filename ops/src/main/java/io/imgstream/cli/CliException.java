package io.imgstream.cli;

import java.nio.file.Path;

/**
 * A known failure of a command: its message is one sentence saying what went wrong and what to do, and
 * its exit code one of the constants here, one per kind of failure so scripts can react to each.
 * {@link CliErrorHandler} prints the message without a stack trace unless {@code --verbose} is given.
 *
 * <p>The exit codes are listed for users in {@link ImgstreamCommand}'s help; keep both in step (a test
 * checks).
 */
public class CliException extends RuntimeException {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** A failure imgstream does not know; {@code --verbose} shows its stack trace. */
    public static final int UNEXPECTED = 1;
    /** A bad option, argument or setting (picocli's own usage code). */
    public static final int BAD_ARGUMENT = 2;
    /** The Kafka broker did not answer. */
    public static final int BROKER_UNREACHABLE = 3;
    /** The schema registry did not answer. */
    public static final int REGISTRY_UNREACHABLE = 4;
    /** A port the local stack needs is already in use. */
    public static final int PORT_TAKEN = 5;
    /** No Java 21+ runtime for the schema registry. */
    public static final int JAVA_MISSING = 6;
    /** No local stack is running (or not all of it). */
    public static final int STACK_NOT_RUNNING = 7;
    /** A local stack is already running from the same work directory. */
    public static final int STACK_ALREADY_RUNNING = 8;
    /** A server of the local stack died or was not ready in time. */
    public static final int STACK_START_FAILED = 9;
    /** Part of imgstream is not built (e.g. the registry distribution). */
    public static final int NOT_BUILT = 10;
    /** The schema registry refused a request, e.g. an incompatible schema. */
    public static final int REGISTRY_REFUSED = 11;
    /** The command's own work failed, e.g. the scorer did not reach RUNNING. */
    public static final int FAILED = 12;
    /** The command was interrupted (128 + SIGINT, as shells report Ctrl-C). */
    public static final int INTERRUPTED = 130;

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /** A failure with {@code message} for the user, ending the command with {@code exitCode}. */
    public CliException(String message, int exitCode) {
        this(message, exitCode, null);
    }

    /** A failure with {@code message} for the user, caused by {@code cause} (shown with --verbose). */
    public CliException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The process exit code for this failure. */
    public int exitCode() {
        return exitCode;
    }

    /** No broker answered at {@code bootstrapServers}. */
    public static CliException brokerUnreachable(String bootstrapServers, Throwable cause) {
        return new CliException(
                "Couldn't reach a Kafka broker at " + bootstrapServers + ": start the local one with "
                        + "'imgstream stack up' or pass --bootstrap-servers",
                BROKER_UNREACHABLE,
                cause);
    }

    /** No schema registry answered at {@code registryUrl}. */
    public static CliException registryUnreachable(String registryUrl, Throwable cause) {
        return new CliException(
                "Couldn't reach the schema registry at " + registryUrl + ": start the local one with "
                        + "'imgstream stack up' or pass --registry-url",
                REGISTRY_UNREACHABLE,
                cause);
    }

    /** No local stack runs from {@code workDir}. */
    public static CliException stackNotRunning(Path workDir) {
        return new CliException(
                "No local stack is running from " + workDir + ": start one with 'imgstream stack up'",
                STACK_NOT_RUNNING);
    }
}
