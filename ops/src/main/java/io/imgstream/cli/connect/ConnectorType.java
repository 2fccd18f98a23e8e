package io.imgstream.cli.connect;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The imgstream connectors, by the short name {@code imgstream connect create --type} takes. */
public enum ConnectorType {
    /** Folder trees of images to {@code images} and {@code feedback}. */
    IMAGE_FOLDER("image-folder", "io.imgstream.connect.source.ImageFolderSourceConnector", Map.of(), "roots"),
    /** {@code predictions} to JSON Lines or CSV files. */
    PREDICTIONS_FILES(
            "predictions-files",
            "io.imgstream.connect.sink.PredictionsFileSinkConnector",
            // A record that is not a Prediction is logged and skipped (or dead-lettered) instead of failing the task.
            Map.of("topics", "predictions", "errors.tolerance", "all", "errors.log.enable", "true"),
            "directory");

    private static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";
    private static final String BYTES_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private final String typeName;
    private final String connectorClass;
    private final Map<String, String> defaults;
    private final String pathsKey;

    ConnectorType(String typeName, String connectorClass, Map<String, String> defaults, String pathsKey) {
        this.typeName = typeName;
        this.connectorClass = connectorClass;
        this.defaults = defaults;
        this.pathsKey = pathsKey;
    }

    /** The name {@code --type} takes. */
    public String typeName() {
        return typeName;
    }

    /** The connector's class, as a Connect worker loads it by name. */
    public String connectorClass() {
        return connectorClass;
    }

    /**
     * The connector configuration: class, converters (the records are already in the registry's wire format), the
     * registry, this type's defaults, then {@code settings}, which win. Relative paths in the type's path setting are
     * made absolute against this process's directory: the worker runs in another, on this machine.
     */
    public Map<String, String> config(String registryUrl, Map<String, String> settings) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", connectorClass);
        config.put("key.converter", STRING_CONVERTER);
        config.put("value.converter", BYTES_CONVERTER);
        config.put("registry.url", registryUrl);
        config.putAll(defaults);
        config.putAll(settings);
        config.computeIfPresent(
                pathsKey,
                (key, paths) -> Arrays.stream(paths.split(","))
                        .map(path -> Path.of(path.strip())
                                .toAbsolutePath()
                                .normalize()
                                .toString())
                        .collect(Collectors.joining(",")));
        return config;
    }

    /**
     * Parses a {@code --type} value.
     *
     * @throws IllegalArgumentException listing the known types
     */
    public static ConnectorType of(String typeName) {
        return Arrays.stream(values())
                .filter(t -> t.typeName.equals(typeName.toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown connector type '" + typeName + "'; known: "
                        + String.join(
                                ", ",
                                Arrays.stream(values())
                                        .map(ConnectorType::typeName)
                                        .toList())));
    }
}
