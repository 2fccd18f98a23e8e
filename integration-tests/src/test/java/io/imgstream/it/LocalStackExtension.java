package io.imgstream.it;

import io.imgstream.stack.LocalStack;
import io.imgstream.stack.RunningStack;
import io.imgstream.stack.StackComponent;
import io.imgstream.stack.StackConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a real local stack (KRaft broker + Apicurio registry on 127.0.0.1, free ports, a fresh temporary
 * work directory) once per test class and stops it after the class.
 *
 * <p>Register it as a static field so tests can read the addresses:
 * <pre>{@code
 * @RegisterExtension
 * static final LocalStackExtension STACK = new LocalStackExtension();
 * ... STACK.bootstrapServers() ... STACK.registryUrl()
 * }</pre>
 * or with {@code @ExtendWith} and a {@link RunningStack} parameter. Work directories (with the servers'
 * logs) are kept under {@code target/stacks}. The stack comes up with imgstream's
 * topics, value schemas and BACKWARD compatibility; each test should still use its own topics and
 * application ids where it writes. A JVM shutdown hook stops the stack if the test JVM exits early.
 * Start progress is printed to standard output.
 */
public final class LocalStackExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    // Under target/ so the servers' logs outlive a failed run and 'mvn clean' removes them.
    private static final Path STACKS_DIR = Path.of("target", "stacks");

    private final UnaryOperator<StackConfig> customization;
    private volatile RunningStack stack;
    private volatile Thread shutdownHook;

    /** A stack with the default settings on free ports. */
    public LocalStackExtension() {
        this(UnaryOperator.identity());
    }

    /** A stack on free ports with {@code customization} applied to its settings, e.g. a SASL listener. */
    public LocalStackExtension(UnaryOperator<StackConfig> customization) {
        this.customization = customization;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (stack != null) {
            return;
        }
        Path workDir = Files.createTempDirectory(
                Files.createDirectories(STACKS_DIR),
                context.getRequiredTestClass().getSimpleName() + "-");
        StackConfig config = customization.apply(StackConfig.withFreePorts(workDir));
        Thread hook = new Thread(() -> LocalStack.stop(workDir), "imgstream-it-stack-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        shutdownHook = hook;
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        stack = LocalStack.start(config, progress);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RunningStack running = stack;
        stack = null;
        if (running != null) {
            running.stop();
        }
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook != null) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RunningStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return running();
    }

    /** The running stack of the current test class. */
    public RunningStack running() {
        RunningStack running = stack;
        if (running == null) {
            throw new IllegalStateException("the local stack is not running: register LocalStackExtension as a static "
                    + "field (@RegisterExtension) or with @ExtendWith on the class");
        }
        return running;
    }

    /** {@code bootstrap.servers} of the running stack, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return running().bootstrapServers();
    }

    /** Base URL of the running stack's registry, e.g. {@code http://127.0.0.1:40125}. */
    public String registryUrl() {
        return running().registryUrl();
    }

    /** Stops one server of the stack, leaving the others running; see {@link LocalStack#stopServer}. */
    public void stopServer(StackComponent component) {
        LocalStack.stopServer(workDir(), component);
    }

    /** Starts a stopped server again on its ports and data and waits until it is ready. */
    public void startServer(StackComponent component) {
        LocalStack.startServer(workDir(), component, new PrintWriter(System.out, true, StandardCharsets.UTF_8));
    }

    /** The running stack's work directory; server logs are in its {@code logs} folder. */
    public Path workDir() {
        return running().workDir();
    }
}
