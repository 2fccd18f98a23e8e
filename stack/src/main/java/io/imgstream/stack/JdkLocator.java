package io.imgstream.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a Java runtime new enough for the Apicurio registry (Java {@value #MINIMUM_FEATURE_VERSION}+),
 * which is newer than the Java imgstream itself needs.
 *
 * <p>Order: an explicit home (the {@code --registry-java-home} option), then the environment variable
 * {@value #JAVA_HOME_ENV}, then the newest qualifying JDK among {@code $JAVA_HOME} and the directories
 * directly under the search roots (by default {@code /usr/lib/jvm}). A JDK's version is read from its
 * {@code release} file. An explicit home or the environment variable that does not qualify is an error,
 * not silently skipped. Thread-safe; reads the file system on every call.
 */
public final class JdkLocator {

    /** Environment variable naming the JDK to run the registry with. */
    public static final String JAVA_HOME_ENV = "IMGSTREAM_REGISTRY_JAVA_HOME";
    /** The lowest Java feature version the registry runs on. */
    public static final int MINIMUM_FEATURE_VERSION = 21;
    /** Where Debian and Ubuntu install JDKs. */
    public static final Path DEFAULT_SEARCH_ROOT = Path.of("/usr/lib/jvm");

    private final Map<String, String> env;
    private final List<Path> searchRoots;

    /**
     * @param env         the environment to read {@value #JAVA_HOME_ENV} and {@code JAVA_HOME} from
     * @param searchRoots directories whose direct subdirectories may be JDKs
     */
    public JdkLocator(Map<String, String> env, List<Path> searchRoots) {
        this.env = Map.copyOf(env);
        this.searchRoots = List.copyOf(searchRoots);
    }

    /** A locator over this process's environment and {@link #DEFAULT_SEARCH_ROOT}. */
    public static JdkLocator forThisMachine() {
        return new JdkLocator(System.getenv(), List.of(DEFAULT_SEARCH_ROOT));
    }

    /**
     * The home of a JDK 21+ to run the registry with.
     *
     * @param explicitHome the home the user asked for, or {@code null}
     * @throws StackException with {@link StackException.Reason#JAVA_MISSING} if the explicit home or the
     *                        environment variable is not a Java 21+ runtime, or none is found
     */
    public Path locate(Path explicitHome) {
        if (explicitHome != null) {
            return requireQualifying(explicitHome, "--registry-java-home");
        }
        String fromEnv = env.get(JAVA_HOME_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return requireQualifying(Path.of(fromEnv), JAVA_HOME_ENV);
        }
        return candidates().stream()
                .filter(home -> featureVersion(home).orElse(0) >= MINIMUM_FEATURE_VERSION && hasJavaBinary(home))
                .max(Comparator.comparingInt((Path home) -> featureVersion(home).orElse(0))
                        .thenComparing(Path::toString))
                .orElseThrow(() -> new StackException(
                        StackException.Reason.JAVA_MISSING,
                        "The schema registry needs Java " + MINIMUM_FEATURE_VERSION + " or newer and none was found in "
                                + searchRoots + " or $JAVA_HOME: install Temurin 25 (or any JDK "
                                + MINIMUM_FEATURE_VERSION + "+) and pass --registry-java-home or set "
                                + JAVA_HOME_ENV));
    }

    /**
     * The Java feature version of the runtime at {@code javaHome} (25 for "25.0.3", 8 for "1.8.0_292"),
     * read from its {@code release} file; empty if there is no readable one.
     */
    public static OptionalInt featureVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(release)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            return OptionalInt.empty();
        }
        String version =
                properties.getProperty("JAVA_VERSION", "").replace("\"", "").trim();
        String[] parts = version.split("[.+_-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return OptionalInt.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private Path requireQualifying(Path home, String source) {
        Path absolute = home.toAbsolutePath().normalize();
        if (!hasJavaBinary(absolute)) {
            throw new StackException(
                    StackException.Reason.JAVA_MISSING,
                    source + " points at " + absolute + ", which has no bin/java: point it at a JDK "
                            + MINIMUM_FEATURE_VERSION + "+ home such as Temurin 25");
        }
        OptionalInt version = featureVersion(absolute);
        if (version.isEmpty() || version.getAsInt() < MINIMUM_FEATURE_VERSION) {
            String found =
                    version.isEmpty() ? "an unknown version (no readable release file)" : "Java " + version.getAsInt();
            throw new StackException(
                    StackException.Reason.JAVA_MISSING,
                    source + " points at " + absolute + ", which is " + found + ": the schema registry needs Java "
                            + MINIMUM_FEATURE_VERSION + "+, e.g. Temurin 25");
        }
        return absolute;
    }

    private List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(env.get("JAVA_HOME"))
                .filter(v -> !v.isBlank())
                .map(Path::of)
                .ifPresent(candidates::add);
        for (Path root : searchRoots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> children = Files.list(root)) {
                    children.filter(Files::isDirectory).forEach(candidates::add);
                } catch (IOException e) {
                    // An unreadable root just offers no candidates; the error names the roots searched.
                }
            }
        }
        return candidates;
    }

    private static boolean hasJavaBinary(Path home) {
        return Files.isExecutable(home.resolve("bin").resolve("java"));
    }
}
