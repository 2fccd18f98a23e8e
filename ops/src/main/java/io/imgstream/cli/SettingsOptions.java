package io.imgstream.cli;

import io.imgstream.images.FetchSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Option;

/**
 * How the commands that start something long-running ({@code score}, {@code train}, {@code label serve}) take their
 * settings: a properties file, then {@code --set}, then {@code --allowed-root}, each overriding the one before; and
 * {@code --config-reference} to print them all.
 */
final class SettingsOptions {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file, keys as in this command's table of docs/configuration.md "
                    + "(or --config-reference).")
    private Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting, overriding the file (repeatable).")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = "--allowed-root",
            paramLabel = "DIR",
            description = "Directory images may be read from (fetch.allowed.roots; repeatable).")
    private List<Path> allowedRoots = List.of();

    @Option(
            names = "--config-reference",
            description = "Print every setting of this command as a Markdown table and exit.")
    private boolean configReference;

    /**
     * Prints the settings table when {@code --config-reference} was given.
     *
     * @return whether it was, and the command is done
     */
    boolean printedReference(PrintWriter out, ConfigDef definition) {
        if (configReference) {
            out.print(ConfigReference.markdown(definition));
            out.flush();
        }
        return configReference;
    }

    /**
     * The file's settings, overridden by {@code --set}, then by {@code --allowed-root}.
     *
     * @throws CliException if the properties file does not exist
     */
    Map<String, Object> properties() throws IOException {
        Map<String, Object> props = new HashMap<>();
        if (configFile != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile)) {
                file.load(reader);
            } catch (NoSuchFileException e) {
                throw new CliException("Config file " + configFile + " does not exist", CliException.BAD_ARGUMENT);
            }
            file.forEach((k, v) -> props.put((String) k, v));
        }
        props.putAll(settings);
        if (!allowedRoots.isEmpty()) {
            props.put(
                    FetchSettings.ALLOWED_ROOTS_CONFIG,
                    String.join(
                            ",",
                            allowedRoots.stream()
                                    .map(p -> p.toAbsolutePath().normalize().toString())
                                    .toList()));
        }
        return props;
    }
}
