package io.imgstream.cli;

import io.imgstream.schemas.RegistryAdmin;
import io.imgstream.stack.StackException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The one place where a command's failure becomes what the user sees: a single line on the command's
 * error writer and an exit code from {@link CliException}.
 *
 * <p>Known failures ({@link CliException}, {@link StackException}, registry and broker connection
 * failures, found anywhere in the cause chain) print their own message; anything else prints its type
 * and message and exits with {@link CliException#UNEXPECTED}. The stack trace is printed only when
 * {@value #VERBOSE_OPTION} was given. Stateless; thread-safe.
 */
public final class CliErrorHandler implements CommandLine.IExecutionExceptionHandler {

    /** The global option that adds stack traces to failures. */
    public static final String VERBOSE_OPTION = "--verbose";

    private static final int MAX_CAUSE_DEPTH = 20;

    private record Failure(String message, int exitCode) {}

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        Failure failure = classify(exception);
        PrintWriter err = commandLine.getErr();
        err.println(commandLine.getColorScheme().errorText("Error: " + failure.message()));
        if (isVerbose(parseResult)) {
            exception.printStackTrace(err);
        }
        err.flush();
        return failure.exitCode();
    }

    private static Failure classify(Throwable thrown) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable current = thrown;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH && seen.add(current); depth++) {
            Failure known = known(current);
            if (known != null) {
                return known;
            }
            current = current.getCause();
        }
        return new Failure(
                "unexpected " + thrown.getClass().getSimpleName()
                        + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage())
                        + " (run again with " + VERBOSE_OPTION + " for the stack trace)",
                CliException.UNEXPECTED);
    }

    private static Failure known(Throwable thrown) {
        if (thrown instanceof CliException cli) {
            return new Failure(cli.getMessage(), cli.exitCode());
        }
        if (thrown instanceof StackException stack) {
            return new Failure(stack.getMessage(), exitCode(stack.reason()));
        }
        if (thrown instanceof RegistryAdmin.RegistryException registry) {
            boolean unreachable = registry.getCause() instanceof IOException;
            return new Failure(
                    registry.getMessage(),
                    unreachable ? CliException.REGISTRY_UNREACHABLE : CliException.REGISTRY_REFUSED);
        }
        if (thrown instanceof ConfigException config) {
            return new Failure("Invalid Kafka client setting: " + config.getMessage(), CliException.BAD_ARGUMENT);
        }
        if (thrown instanceof TimeoutException) {
            return new Failure(
                    "The Kafka broker did not answer in time (" + thrown.getMessage() + "): check that it runs "
                            + "with 'imgstream stack status', or pass the right --bootstrap-servers",
                    CliException.BROKER_UNREACHABLE);
        }
        return null;
    }

    /** The exit code for a stack failure. */
    static int exitCode(StackException.Reason reason) {
        return switch (reason) {
            case INVALID_CONFIG -> CliException.BAD_ARGUMENT;
            case PORT_TAKEN -> CliException.PORT_TAKEN;
            case JAVA_MISSING -> CliException.JAVA_MISSING;
            case NOT_BUILT -> CliException.NOT_BUILT;
            case ALREADY_RUNNING -> CliException.STACK_ALREADY_RUNNING;
            case NOT_RUNNING -> CliException.STACK_NOT_RUNNING;
            case START_FAILED -> CliException.STACK_START_FAILED;
        };
    }

    private static boolean isVerbose(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(VERBOSE_OPTION)) {
                return true;
            }
        }
        return false;
    }
}
