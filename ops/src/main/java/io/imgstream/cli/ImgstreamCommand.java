package io.imgstream.cli;

import io.imgstream.schemas.AvroLimits;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root {@code imgstream} command. It only lists its subcommands; running it alone is a usage error.
 * {@link #newCommandLine()} builds the command line with the one error handler every caller must use.
 */
@Command(
        name = "imgstream",
        mixinStandardHelpOptions = true,
        versionProvider = ImgstreamCommand.VersionProvider.class,
        description = "Image classification as a Kafka event stream: transfer-learned CNN scoring, live model swap, "
                + "continuous training.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            StackCommand.class,
            TopicsCommand.class,
            PublishCommand.class,
            TailCommand.class,
            ScoreCommand.class,
            TrainCommand.class,
            FitCommand.class,
            EvaluateCommand.class,
            ConnectCommand.class,
            DemoCommand.class,
            ModelsCommand.class,
            BasesCommand.class,
            LabelCommand.class,
            ExplainCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "  0:Success.",
            "  1:Unexpected error (run again with --verbose for the stack trace).",
            "  2:Bad option, argument or setting.",
            "  3:Kafka broker unreachable.",
            "  4:Schema registry unreachable.",
            "  5:A port the stack needs is already in use.",
            "  6:No Java 21+ for the schema registry (e.g. Temurin 25).",
            "  7:Local stack not running (or not all of it).",
            "  8:Local stack already running.",
            "  9:Local stack failed to start.",
            " 10:imgstream not built (run ./imgstream or mvn -pl ops -am package).",
            " 11:Schema registry refused a request (e.g. an incompatible schema).",
            " 12:The command's work failed (see the message).",
            "130:Interrupted."
        })
public final class ImgstreamCommand extends GroupCommand {

    @Option(
            names = CliErrorHandler.VERBOSE_OPTION,
            scope = ScopeType.INHERIT,
            description = "Print the stack trace of a failure.")
    private boolean verbose;

    /** Builds the {@code imgstream} command line with {@link CliErrorHandler} installed. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new ImgstreamCommand()).setExecutionExceptionHandler(new CliErrorHandler());
    }

    /** Runs {@code imgstream} with {@code args} and exits the JVM with the command's exit code. */
    public static void main(String[] args) {
        // Before any Avro class loads: Avro reads its limits once.
        AvroLimits.applyDefaults();
        // Apicurio and Vert.x log through java.util.logging; route it to logback's configuration.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(newCommandLine().execute(args));
    }

    /** Whether {@value CliErrorHandler#VERBOSE_OPTION} was given. */
    public boolean verbose() {
        return verbose;
    }

    /** The version from the jar manifest, or a note that this is a build from sources. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ImgstreamCommand.class.getPackage().getImplementationVersion();
            return new String[] {"imgstream " + (version == null ? "(development build)" : version)};
        }
    }
}
