package io.imgstream.cli;

import io.imgstream.control.SigningKeyFiles;
import io.imgstream.stack.JdkLocator;
import io.imgstream.stack.LocalStack;
import io.imgstream.stack.RunningStack;
import io.imgstream.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imgstream stack up}: starts the local broker and registry and leaves them running. */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = {
            "Start a single-node KRaft Kafka broker and an Apicurio schema registry, each in its own background "
                    + "JVM on 127.0.0.1, create imgstream's topics and register their schemas (compatibility "
                    + "BACKWARD).",
            "Kafka data and the registry's schemas stay in the work directory between runs. Stop the stack with "
                    + "'imgstream stack down'.",
            "The first start also makes a key pair for signing model announcements in <work-dir>/"
                    + StackConfig.SIGNING_KEYS_DIR + ": from then on 'imgstream train' and 'imgstream models "
                    + "promote|rollback' sign with it and 'imgstream score' accepts only versions signed with it, "
                    + "unless given keys of their own."
        })
public final class StackUpCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private WorkDirOption workDir;

    @Option(
            names = "--broker-port",
            paramLabel = "PORT",
            defaultValue = "" + StackConfig.DEFAULT_BROKER_PORT,
            description = "Port of the broker's client listener (default: ${DEFAULT-VALUE}).")
    private int brokerPort;

    @Option(
            names = "--controller-port",
            paramLabel = "PORT",
            defaultValue = "" + StackConfig.DEFAULT_CONTROLLER_PORT,
            description = "Port of the broker's KRaft controller listener (default: ${DEFAULT-VALUE}).")
    private int controllerPort;

    @Option(
            names = "--registry-port",
            paramLabel = "PORT",
            defaultValue = "" + StackConfig.DEFAULT_REGISTRY_PORT,
            description = "HTTP port of the schema registry (default: ${DEFAULT-VALUE}).")
    private int registryPort;

    @Option(
            names = "--registry-management-port",
            paramLabel = "PORT",
            defaultValue = "" + StackConfig.DEFAULT_REGISTRY_MANAGEMENT_PORT,
            description = "Port of the registry's health and metrics endpoints (default: ${DEFAULT-VALUE}).")
    private int registryManagementPort;

    @Option(
            names = "--registry-java-home",
            paramLabel = "DIR",
            description = "JDK 21+ to run the registry with (default: $" + JdkLocator.JAVA_HOME_ENV
                    + ", else the newest JDK 21+ in $JAVA_HOME or /usr/lib/jvm).")
    private Path registryJavaHome;

    @Option(
            names = "--connect",
            description = "Also start a Kafka Connect worker (standalone) with the imgstream "
                    + "connectors on its classpath.")
    private boolean connect;

    @Option(
            names = "--connect-port",
            paramLabel = "PORT",
            defaultValue = "" + StackConfig.DEFAULT_CONNECT_PORT,
            description = "REST port of the Connect worker (default: ${DEFAULT-VALUE}).")
    private int connectPort;

    @Option(
            names = "--secure-port",
            paramLabel = "PORT",
            description = "Also open a broker listener on this port that requires TLS (a self-signed certificate for "
                    + "127.0.0.1) and SASL/PLAIN, to try clients' security settings; its client settings are "
                    + "written to <work-dir>/"
                    + StackConfig.SECURE_CLIENT_CONFIG + " for --kafka-config.")
    private int securePort;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "" + StackConfig.DEFAULT_PARTITIONS,
            description = "Partitions of each topic created (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Override
    public Integer call() {
        StackConfig config = new StackConfig(
                workDir.path(),
                brokerPort,
                controllerPort,
                registryPort,
                registryManagementPort,
                registryJavaHome,
                partitions,
                StackConfig.DEFAULT_READY_TIMEOUT,
                connect ? connectPort : 0,
                securePort);
        PrintWriter out = spec.commandLine().getOut();
        SigningKeyFiles keys = workDir.signingKeys();
        boolean newKeys = createSigningKeys(keys);
        RunningStack stack = LocalStack.start(config, out);
        out.println();
        out.printf("Stack is up:%n");
        out.printf("  bootstrap servers   %s%n", stack.bootstrapServers());
        out.printf("  schema registry     %s%n", stack.registryUrl());
        out.printf("    native API        %s%n", stack.registryNativeApiUrl());
        out.printf("    Confluent API     %s%n", stack.registryCcompatApiUrl());
        if (config.secured()) {
            out.printf(
                    "  TLS + SASL listener %s (client settings: --kafka-config %s)%n",
                    config.secureBootstrapServers(), config.secureClientConfig());
        }
        stack.connectUrl()
                .ifPresent(url -> out.printf(
                        "  Kafka Connect       %s (standalone; 'imgstream connect create' adds connectors)%n", url));
        out.printf("  work directory      %s (logs in %s)%n", stack.workDir(), config.logsDir());
        out.printf(
                "  signing keys        %s: %s signs what 'imgstream train' and 'imgstream models promote|rollback' "
                        + "announce, %s is the key 'imgstream score' checks announcements with%s%n",
                newKeys ? "a new pair" : "the stack's pair",
                keys.privateKey(),
                keys.publicKey(),
                workDirArgument().isEmpty() ? "" : " (give them" + workDirArgument() + ")");
        out.printf("Stop it with 'imgstream stack down%s'.%n", workDirArgument());
        out.flush();
        return CliException.OK;
    }

    /** Makes the stack's signing key pair on the first start; announcements are signed by default from then on. */
    private static boolean createSigningKeys(SigningKeyFiles keys) {
        try {
            return keys.createIfAbsent();
        } catch (IllegalStateException e) {
            throw new CliException("Can't start the stack: " + e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
    }

    private String workDirArgument() {
        boolean isDefault = workDir.path()
                .equals(Path.of(StackConfig.DEFAULT_WORK_DIR).toAbsolutePath().normalize());
        return isDefault ? "" : " --work-dir " + workDir.path();
    }
}
