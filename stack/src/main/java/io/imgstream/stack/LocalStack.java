package io.imgstream.stack;

import io.imgstream.schemas.RegistryAdmin;
import io.imgstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Starts, inspects and stops a local imgstream stack: a single-node KRaft Kafka broker and an Apicurio
 * schema registry, each in its own detached JVM bound to 127.0.0.1 only, recorded in
 * {@code <work>/stack.json}.
 *
 * <p>A started stack is ready to use: the registry's global compatibility is {@code BACKWARD}, every
 * topic of {@link TopicCatalog#defaults()} exists and every value schema is registered. Kafka data and
 * the registry's database stay in the work directory between runs, so schema ids do not change. One server
 * can be stopped and started again while the others run ({@link #stopServer}, {@link #startServer}), to see
 * what clients do when it goes away.
 *
 * <p>Methods block; two calls on the same work directory at once are not supported. Stacks in different
 * work directories on different ports are independent.
 */
public final class LocalStack {

    /** How many lines of a server's log a start failure shows. */
    static final int LOG_TAIL_LINES = 20;

    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STATUS_PROBE_TIMEOUT = Duration.ofSeconds(3);
    private static final short LOCAL_REPLICATION_FACTOR = 1;

    private LocalStack() {}

    /**
     * Starts a stack and waits until it is ready, writing one line per step to {@code progress}.
     *
     * @return a handle on the running stack
     * @throws StackException {@link StackException.Reason#ALREADY_RUNNING} if a stack from the same work
     *                        directory runs; {@link StackException.Reason#PORT_TAKEN} if a port is bound;
     *                        {@link StackException.Reason#JAVA_MISSING} if no Java 21+ is found for the
     *                        registry; {@link StackException.Reason#NOT_BUILT} if the registry distribution
     *                        is missing; {@link StackException.Reason#START_FAILED} if a server dies or is not
     *                        ready within {@link StackConfig#readyTimeout()} (the message carries the end of
     *                        its log). On any failure after a server was launched, the servers are stopped
     *                        again and the state file removed.
     * @throws RegistryAdmin.RegistryException if the started registry refuses the schemas
     */
    public static RunningStack start(StackConfig config, PrintWriter progress) {
        Instant began = Instant.now();
        refuseIfRunning(config, progress);
        refuseTakenPorts(config);
        Path javaHome = JdkLocator.forThisMachine().locate(config.registryJavaHome());
        Path runnerJar = RegistryLauncher.locateRunnerJar(System.getProperty(RegistryLauncher.HOME_PROPERTY));
        prepareDirectories(config);

        RegistryLauncher registry = new RegistryLauncher(config);
        BrokerLauncher broker = new BrokerLauncher(config);
        List<ProcessHandle> launched = new CopyOnWriteArrayList<>();
        // Ctrl-C during start must not leave servers behind that no state file records yet.
        Thread stopOnExit = new Thread(
                () -> {
                    terminate(launched);
                    StackState.delete(config.workDir());
                },
                "imgstream-stack-start-abort");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try {
            progress.printf(
                    "Starting the schema registry on %s with Java %d from %s (log: %s)%n",
                    config.registryUrl(),
                    JdkLocator.featureVersion(javaHome).orElse(0),
                    javaHome,
                    StackComponent.REGISTRY.logFile(config));
            Instant registryLaunched = Instant.now();
            ProcessHandle registryProcess = registry.start(javaHome, runnerJar);
            launched.add(registryProcess);

            broker.prepare();
            progress.printf(
                    "Starting the Kafka broker on %s (log: %s)%n",
                    config.bootstrapServers(), StackComponent.BROKER.logFile(config));
            Instant brokerLaunched = Instant.now();
            ProcessHandle brokerProcess = broker.start();
            launched.add(brokerProcess);
            StackState state = new StackState(
                    config.workDir().toString(),
                    brokerProcess.pid(),
                    registryProcess.pid(),
                    config.bootstrapServers(),
                    config.registryUrl(),
                    config.brokerPort(),
                    config.controllerPort(),
                    config.registryPort(),
                    config.registryManagementPort(),
                    began.toString(),
                    0,
                    null,
                    0,
                    config.securePort());
            state.write();

            broker.awaitReady(brokerProcess, brokerLaunched.plus(config.readyTimeout()));
            progress.printf("Broker ready after %s%n", seconds(brokerLaunched));
            registry.awaitReady(registryProcess, registryLaunched.plus(config.readyTimeout()));
            progress.printf("Schema registry ready after %s%n", seconds(registryLaunched));
            provision(config, progress);
            if (config.withConnect()) {
                ConnectLauncher connect = new ConnectLauncher(config);
                progress.printf(
                        "Starting Kafka Connect (standalone) on %s (log: %s)%n",
                        config.connectUrl(), StackComponent.CONNECT.logFile(config));
                Instant connectLaunched = Instant.now();
                ProcessHandle connectProcess = connect.start();
                launched.add(connectProcess);
                state = state.withConnect(connectProcess.pid(), config.connectUrl(), config.connectPort());
                state.write();
                connect.awaitReady(connectProcess, connectLaunched.plus(config.readyTimeout()));
                progress.printf("Kafka Connect ready after %s%n", seconds(connectLaunched));
            }
            progress.printf("Stack up after %s%n", seconds(began));
            progress.flush();
            return new RunningStack(state);
        } catch (RuntimeException | Error e) {
            progress.println("Start failed: stopping the servers started so far");
            progress.flush();
            try {
                terminate(launched);
                StackState.delete(config.workDir());
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            removeShutdownHook(stopOnExit);
        }
    }

    /**
     * Stops the stack recorded in {@code workDir}: asks each recorded process to terminate, waits up to
     * 15 s, then kills it. A recorded pid that no longer runs as this stack's server (it died, or the pid
     * was reused) is left alone. Removes the state file.
     *
     * @return the servers that were running and are now stopped; empty if none was
     */
    public static List<StackStatus.Component> stop(Path workDir) {
        Path absolute = workDir.toAbsolutePath().normalize();
        Optional<StackState> state = StackState.read(absolute);
        if (state.isEmpty()) {
            return List.of();
        }
        List<StackStatus.Component> stopped = new ArrayList<>();
        List<ProcessHandle> handles = new ArrayList<>();
        for (StackStatus.Component component : components(state.get())) {
            ProcessHandle.of(component.pid())
                    .filter(process -> component.component().isRunningAs(process, absolute))
                    .ifPresent(process -> {
                        handles.add(process);
                        stopped.add(component);
                    });
        }
        terminate(handles);
        StackState.delete(absolute);
        return stopped;
    }

    /**
     * Stops one server of the stack recorded in {@code workDir} (SIGTERM, then SIGKILL after 15 s) and leaves
     * the others running and the stack recorded, so {@link #startServer} can bring it back on the same ports.
     *
     * @return whether it was running
     * @throws StackException {@link StackException.Reason#NOT_RUNNING} if no stack is recorded there, or it
     *                        runs no such server
     */
    public static boolean stopServer(Path workDir, StackComponent component) {
        Path absolute = workDir.toAbsolutePath().normalize();
        StackState state = recorded(absolute);
        long pid = pidOf(state, component);
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(p -> component.isRunningAs(p, absolute));
        process.ifPresent(running -> terminate(List.of(running)));
        return process.isPresent();
    }

    /**
     * Starts a server of the stack recorded in {@code workDir} again, on its recorded ports and data, after
     * {@link #stopServer} or a crash, and waits until it is ready; the registry gets its compatibility and
     * schemas again (unchanged ids: its database is kept).
     *
     * @return a handle on the stack with the server's new pid
     * @throws StackException {@link StackException.Reason#NOT_RUNNING} if no stack is recorded there or it runs
     *                        no such server; {@link StackException.Reason#ALREADY_RUNNING} if the server runs;
     *                        {@link StackException.Reason#PORT_TAKEN} if something else took its port;
     *                        {@link StackException.Reason#START_FAILED} as for {@link #start}
     */
    public static RunningStack startServer(Path workDir, StackComponent component, PrintWriter progress) {
        Path absolute = workDir.toAbsolutePath().normalize();
        StackState state = recorded(absolute);
        long recordedPid = pidOf(state, component);
        if (ProcessHandle.of(recordedPid)
                .filter(p -> component.isRunningAs(p, absolute))
                .isPresent()) {
            throw new StackException(
                    StackException.Reason.ALREADY_RUNNING,
                    "The " + component.label() + " of the stack in " + absolute + " is running (pid " + recordedPid
                            + ")");
        }
        StackConfig config = configOf(state);
        int port = switch (component) {
            case BROKER -> config.brokerPort();
            case REGISTRY -> config.registryPort();
            case CONNECT -> config.connectPort();
        };
        if (!FreePorts.isFree(port)) {
            throw new StackException(
                    StackException.Reason.PORT_TAKEN,
                    "Port " + port + " of the " + component.label()
                            + " is taken by another process: stop it, or stop the stack with 'imgstream stack down'");
        }
        Instant launched = Instant.now();
        progress.printf(
                "Starting the %s again on its recorded ports (log: %s)%n",
                component.label(), component.logFile(config));
        Instant deadline = launched.plus(config.readyTimeout());
        ProcessHandle process = switch (component) {
            case BROKER -> {
                BrokerLauncher broker = new BrokerLauncher(config);
                broker.prepare();
                ProcessHandle started = broker.start();
                awaitOrStop(started, () -> broker.awaitReady(started, deadline));
                yield started;
            }
            case REGISTRY -> {
                RegistryLauncher registry = new RegistryLauncher(config);
                ProcessHandle started = registry.start(
                        JdkLocator.forThisMachine().locate(null),
                        RegistryLauncher.locateRunnerJar(System.getProperty(RegistryLauncher.HOME_PROPERTY)));
                awaitOrStop(started, () -> {
                    registry.awaitReady(started, deadline);
                    registerSchemas(config);
                });
                yield started;
            }
            case CONNECT -> {
                ConnectLauncher connect = new ConnectLauncher(config);
                ProcessHandle started = connect.start();
                awaitOrStop(started, () -> connect.awaitReady(started, deadline));
                yield started;
            }
        };
        state = switch (component) {
            case BROKER -> state.withBroker(process.pid());
            case REGISTRY -> state.withRegistry(process.pid());
            case CONNECT -> state.withConnect(process.pid(), config.connectUrl(), config.connectPort());
        };
        state.write();
        progress.printf(
                "The %s is ready again after %s (pid %d)%n", component.label(), seconds(launched), process.pid());
        progress.flush();
        return new RunningStack(state);
    }

    /** What runs of the stack recorded in {@code workDir}, each server probed with a short request. */
    public static StackStatus status(Path workDir) {
        Path absolute = workDir.toAbsolutePath().normalize();
        Optional<StackState> state = StackState.read(absolute);
        if (state.isEmpty()) {
            return new StackStatus(absolute, List.of());
        }
        StackConfig config = configOf(state.get());
        List<StackStatus.Component> probed = new ArrayList<>();
        for (StackStatus.Component recorded : components(state.get())) {
            boolean alive = ProcessHandle.of(recorded.pid())
                    .map(process -> recorded.component().isRunningAs(process, absolute))
                    .orElse(false);
            boolean ready = alive
                    && switch (recorded.component()) {
                        case BROKER -> new BrokerLauncher(config).answers();
                        case REGISTRY -> new RegistryAdmin(config.registryUrl(), STATUS_PROBE_TIMEOUT).isReachable();
                        case CONNECT -> ConnectLauncher.answers(recorded.address());
                    };
            probed.add(
                    new StackStatus.Component(recorded.component(), recorded.pid(), recorded.address(), alive, ready));
        }
        return new StackStatus(absolute, probed);
    }

    /** The stack recorded in {@code workDir} if all its servers answer now, else empty. */
    public static Optional<RunningStack> find(Path workDir) {
        if (!status(workDir).allReady()) {
            return Optional.empty();
        }
        return StackState.read(workDir).map(RunningStack::new);
    }

    /**
     * Polls {@code ready} until it holds, the process dies or {@code deadline} passes.
     *
     * @throws StackException with {@link StackException.Reason#START_FAILED} and the end of the server's log
     */
    static void awaitReady(
            StackComponent component,
            StackConfig config,
            ProcessHandle process,
            Instant deadline,
            BooleanSupplier ready) {
        Path log = component.logFile(config);
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new StackException(
                        StackException.Reason.START_FAILED,
                        "Interrupted while waiting for the " + component.label() + " to become ready");
            }
            if (!process.isAlive()) {
                throw new StackException(
                        StackException.Reason.START_FAILED,
                        "The " + component.label()
                                + " exited during start; last lines of " + log + ":" + System.lineSeparator()
                                + JvmLauncher.tail(log, LOG_TAIL_LINES));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new StackException(
                        StackException.Reason.START_FAILED,
                        "The " + component.label()
                                + " was not ready within "
                                + config.readyTimeout().toSeconds() + " s; last lines of " + log + ":"
                                + System.lineSeparator() + JvmLauncher.tail(log, LOG_TAIL_LINES));
            }
            waitForExit(process, POLL_INTERVAL);
        }
    }

    /** Admin client settings for short, bounded calls to the broker at {@code bootstrapServers}. */
    static Properties adminProperties(String bootstrapServers, Duration timeout) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return properties;
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting; the hook is running or has run.
        }
    }

    private static void refuseIfRunning(StackConfig config, PrintWriter progress) {
        StackStatus status = status(config.workDir());
        if (status.anyAlive()) {
            throw new StackException(
                    StackException.Reason.ALREADY_RUNNING,
                    "A stack is already running from "
                            + config.workDir() + " (" + describe(status)
                            + "): stop it with 'imgstream stack down' first, or "
                            + "use another --work-dir and other ports");
        }
        if (status.recorded()) {
            progress.println("Removing the record of a stack that is no longer running");
            StackState.delete(config.workDir());
        }
    }

    private static void refuseTakenPorts(StackConfig config) {
        for (Map.Entry<String, Integer> port : config.portsByOption().entrySet()) {
            if (!FreePorts.isFree(port.getValue())) {
                throw new StackException(
                        StackException.Reason.PORT_TAKEN,
                        "Port " + port.getValue() + " on "
                                + StackConfig.HOST
                                + " is already in use: stop what listens there, or choose another with "
                                + port.getKey());
            }
        }
    }

    private static void prepareDirectories(StackConfig config) {
        try {
            Files.createDirectories(config.logsDir());
            Files.createDirectories(config.kafkaDir());
            for (StackComponent component : StackComponent.values()) {
                Path log = component.logFile(config);
                if (Files.exists(log)) {
                    Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the work directory " + config.workDir(), e);
        }
    }

    private static void provision(StackConfig config, PrintWriter progress) {
        TopicCatalog catalog = TopicCatalog.defaults();
        TopicProvisioner.Result topics;
        try (Admin admin = Admin.create(adminProperties(config.bootstrapServers(), PROVISION_TIMEOUT))) {
            topics = TopicProvisioner.createAll(
                    admin, catalog, config.partitions(), LOCAL_REPLICATION_FACTOR, PROVISION_TIMEOUT);
        }
        registerSchemas(config);
        progress.printf(
                "Registry compatibility BACKWARD; %d topics created, %d already there; %d value schemas "
                        + "registered%n",
                topics.created().size(), topics.existing().size(), catalog.all().size());
    }

    // A server that never became ready is stopped again, so a failed restart leaves nothing unrecorded behind.
    private static void awaitOrStop(ProcessHandle started, Runnable ready) {
        try {
            ready.run();
        } catch (RuntimeException | Error e) {
            try {
                terminate(List.of(started));
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static void registerSchemas(StackConfig config) {
        RegistryAdmin registry = new RegistryAdmin(config.registryUrl(), PROVISION_TIMEOUT);
        registry.setGlobalCompatibility(RegistryAdmin.Compatibility.BACKWARD);
        registry.registerAll(TopicCatalog.defaults());
    }

    private static StackState recorded(Path workDir) {
        return StackState.read(workDir)
                .orElseThrow(() -> new StackException(
                        StackException.Reason.NOT_RUNNING,
                        "No stack is recorded in " + workDir + ": start one with 'imgstream stack up'"));
    }

    private static long pidOf(StackState state, StackComponent component) {
        long pid = switch (component) {
            case BROKER -> state.brokerPid();
            case REGISTRY -> state.registryPid();
            case CONNECT -> state.connectPid();
        };
        if (pid == 0) {
            throw new StackException(
                    StackException.Reason.NOT_RUNNING,
                    "The stack in " + state.workDir() + " runs no "
                            + component.label()
                            + (component == StackComponent.CONNECT
                                    ? ": start it with 'imgstream stack up --connect'"
                                    : ""));
        }
        return pid;
    }

    private static List<StackStatus.Component> components(StackState state) {
        List<StackStatus.Component> components = new ArrayList<>(List.of(
                new StackStatus.Component(
                        StackComponent.BROKER, state.brokerPid(), state.bootstrapServers(), true, false),
                new StackStatus.Component(
                        StackComponent.REGISTRY, state.registryPid(), state.registryUrl(), true, false)));
        if (state.connectPid() != 0) {
            components.add(new StackStatus.Component(
                    StackComponent.CONNECT, state.connectPid(), state.connectUrl(), true, false));
        }
        return components;
    }

    private static StackConfig configOf(StackState state) {
        return new StackConfig(
                Path.of(state.workDir()),
                state.brokerPort(),
                state.controllerPort(),
                state.registryPort(),
                state.registryManagementPort(),
                null,
                StackConfig.DEFAULT_PARTITIONS,
                StackConfig.DEFAULT_READY_TIMEOUT,
                state.connectPort(),
                state.securePort());
    }

    private static String describe(StackStatus status) {
        List<String> parts = new ArrayList<>();
        for (StackStatus.Component component : status.components()) {
            if (component.alive()) {
                parts.add(component.component().label() + " pid " + component.pid() + " at " + component.address());
            }
        }
        return String.join(", ", parts);
    }

    // SIGTERM first so the broker shuts down cleanly; both servers stop in parallel.
    private static void terminate(List<ProcessHandle> processes) {
        processes.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : processes) {
            if (!waitForExit(process, STOP_GRACE)) {
                process.destroyForcibly();
                if (!waitForExit(process, KILL_WAIT)) {
                    throw new IllegalStateException(
                            "process " + process.pid() + " survived SIGKILL for " + KILL_WAIT.toSeconds() + " s");
                }
            }
        }
    }

    private static boolean waitForExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private static String seconds(Instant since) {
        return String.format(
                Locale.ROOT, "%.1f s", Duration.between(since, Instant.now()).toMillis() / 1000.0);
    }
}
