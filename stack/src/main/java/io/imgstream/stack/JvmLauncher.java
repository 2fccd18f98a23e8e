package io.imgstream.stack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts child JVMs for the stack: short-lived tools that run to completion and detached servers that
 * outlive the JVM that started them; and, for benchmarks, child JVMs of this JVM's own code. Stateless;
 * thread-safe.
 */
public final class JvmLauncher {

    private JvmLauncher() {}

    /** The {@code java} binary of the runtime at {@code javaHome}. */
    static String javaBinary(Path javaHome) {
        return javaHome.resolve("bin").resolve("java").toString();
    }

    /** The home of the JVM running this code. */
    static Path currentJavaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /**
     * The classpath of this JVM as a plain list of entries. Surefire and failsafe start tests through a
     * manifest-only jar that they delete when the tests end; a child JVM that outlives them must get the
     * jars listed in its manifest instead.
     */
    static String currentClasspath() {
        return expandManifestOnlyJar(System.getProperty("java.class.path"));
    }

    /** {@code classpath}, with a lone jar replaced by its manifest's {@code Class-Path} entries plus itself. */
    static String expandManifestOnlyJar(String classpath) {
        String[] entries = classpath.split(File.pathSeparator);
        if (entries.length != 1 || !entries[0].endsWith(".jar")) {
            return classpath;
        }
        Path jar = Path.of(entries[0]).toAbsolutePath();
        try (JarFile file = new JarFile(jar.toFile())) {
            String manifestClasspath = file.getManifest() == null
                    ? null
                    : file.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (manifestClasspath == null || manifestClasspath.isBlank()) {
                return classpath;
            }
            URI base = jar.toUri();
            Stream<String> listed = Arrays.stream(manifestClasspath.trim().split("\\s+"))
                    .map(entry -> Path.of(base.resolve(entry)).toString());
            return Stream.concat(listed, Stream.of(jar.toString())).collect(Collectors.joining(File.pathSeparator));
        } catch (IOException e) {
            return classpath;
        }
    }

    /**
     * Writes a {@code java} argument file ({@code @file} on the command line) that sets the classpath to
     * {@link #currentClasspath()}. It keeps the child's command line short, so the operating system shows
     * all of it and {@link StackComponent#isRunningAs} can check it.
     *
     * @return the {@code @file} argument
     */
    static String classpathArgumentFile(Path file) {
        String quoted = currentClasspath().replace("\\", "\\\\").replace("\"", "\\\"");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "-cp\n\"" + quoted + "\"\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the classpath file " + file, e);
        }
        return "@" + file;
    }

    /**
     * Runs {@code command} to completion with its output appended to {@code logFile}.
     *
     * @return the exit code
     * @throws StackException with {@link StackException.Reason#START_FAILED} if it runs longer than {@code timeout}
     */
    static int runToCompletion(List<String> command, Path workingDir, Path logFile, Duration timeout) {
        Process process = start(command, workingDir, logFile);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new StackException(
                        StackException.Reason.START_FAILED,
                        "'" + String.join(" ", shortened(command)) + "' did not finish within " + timeout.toSeconds()
                                + " s; see " + logFile);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StackException(
                    StackException.Reason.START_FAILED, "interrupted while running " + command.get(0), e);
        }
    }

    /**
     * A process builder for {@code mainClass} in a new JVM of this JVM's runtime and classpath (passed through the
     * argument file {@code classpathFile}, which this writes), with {@code jvmOptions} and {@code arguments}. The
     * caller sets its environment and output and starts it; it ends with this JVM only if the caller stops it.
     */
    public static ProcessBuilder sameCodeJvm(
            Path classpathFile, List<String> jvmOptions, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary(currentJavaHome()));
        command.addAll(jvmOptions);
        command.add(classpathArgumentFile(classpathFile));
        command.add(mainClass);
        command.addAll(arguments);
        return new ProcessBuilder(command);
    }

    /**
     * Starts {@code command} detached: in its own session where {@code setsid} exists (so a Ctrl-C in the
     * shell that started it does not reach it), stdin from {@code /dev/null}, stdout and stderr appended
     * to {@code logFile}. The returned process keeps running when this JVM exits.
     */
    static ProcessHandle startDetached(List<String> command, Path workingDir, Path logFile) {
        List<String> full = new ArrayList<>();
        setsid().ifPresent(setsid -> full.add(setsid.toString()));
        full.addAll(command);
        return start(full, workingDir, logFile).toHandle();
    }

    /**
     * A logback configuration for a server JVM whose stdout is redirected to its log file: INFO to the console,
     * {@code quietLoggers} at WARN.
     */
    static String consoleLogback(List<String> quietLoggers) {
        StringBuilder xml = new StringBuilder("""
                <configuration>
                  <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                """);
        quietLoggers.forEach(
                logger -> xml.append("  <logger name=\"").append(logger).append("\" level=\"WARN\"/>\n"));
        return xml.append("  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>\n</configuration>\n")
                .toString();
    }

    /** The last {@code lines} lines of {@code logFile}, or a note that it is missing. */
    static String tail(Path logFile, int lines) {
        if (!Files.isRegularFile(logFile)) {
            return "(no log file at " + logFile + ")";
        }
        try (Stream<String> all = Files.lines(logFile, StandardCharsets.UTF_8)) {
            List<String> kept = new ArrayList<>();
            all.forEach(line -> {
                kept.add(line);
                if (kept.size() > lines) {
                    kept.remove(0);
                }
            });
            return String.join(System.lineSeparator(), kept);
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    private static Process start(List<String> command, Path workingDir, Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true);
            return builder.start();
        } catch (IOException e) {
            throw new StackException(
                    StackException.Reason.START_FAILED, "could not start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static Optional<Path> setsid() {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "setsid"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static List<String> shortened(List<String> command) {
        return command.stream()
                .map(arg -> arg.length() > 80 ? arg.substring(0, 77) + "..." : arg)
                .toList();
    }
}
