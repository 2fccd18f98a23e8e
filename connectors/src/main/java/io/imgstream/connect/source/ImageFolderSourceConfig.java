package io.imgstream.connect.source;

import io.imgstream.schemas.ConnectionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link ImageFolderSourceConnector}; every key declared once in {@link #CONFIG}. */
public final class ImageFolderSourceConfig extends AbstractConfig {

    public static final String ROOTS_CONFIG = "roots";
    private static final String ROOTS_DOC = "Directories to watch, comma-separated. Each holds train/<class>/, "
            + "validation/<class>/, test/<class>/, <class>/ folders of images, or images directly (unlabeled).";

    public static final String IMAGES_TOPIC_CONFIG = "images.topic";
    private static final String IMAGES_TOPIC_DOC = "Topic of the ImageRef records.";

    public static final String FEEDBACK_TOPIC_CONFIG = "feedback.topic";
    private static final String FEEDBACK_TOPIC_DOC =
            "Topic of the LabelFeedback records for images whose folder names a class. Empty: no labels are sent.";

    public static final String REGISTRY_URL_CONFIG = ConnectionSettings.REGISTRY_URL_CONFIG;
    private static final String REGISTRY_URL_DOC = "Base URL of the schema registry the records are serialised against "
            + "(Confluent wire format); use org.apache.kafka.connect.converters.ByteArrayConverter as value.converter.";

    public static final String POLL_INTERVAL_MS_CONFIG = "poll.interval.ms";
    private static final String POLL_INTERVAL_MS_DOC = "How often the roots are scanned for new files.";

    public static final String EXTENSIONS_CONFIG = "extensions";
    private static final String EXTENSIONS_DOC = "File extensions taken as images (case-insensitive).";

    public static final String INLINE_CONFIG = "inline";
    private static final String INLINE_DOC =
            "Send the image bytes in the record (for scorers that can't read the files) instead of a file:// URI.";

    public static final String INLINE_MAX_BYTES_CONFIG = "inline.max.bytes";
    private static final String INLINE_MAX_BYTES_DOC =
            "Largest file sent inline; larger ones are reported and skipped.";

    public static final String LABELER_CONFIG = "labeler";
    private static final String LABELER_DOC = "Labeler recorded in the LabelFeedback records.";

    /** The definition of every key. */
    public static final ConfigDef CONFIG = ConnectionSettings.defineRegistryUrl(
                    new ConfigDef()
                            .define(
                                    ROOTS_CONFIG,
                                    Type.LIST,
                                    ConfigDef.NO_DEFAULT_VALUE,
                                    ConfigDef.ValidList.anyNonDuplicateValues(false, false),
                                    Importance.HIGH,
                                    ROOTS_DOC),
                    REGISTRY_URL_DOC)
            .define(
                    IMAGES_TOPIC_CONFIG,
                    Type.STRING,
                    "images",
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    IMAGES_TOPIC_DOC)
            .define(FEEDBACK_TOPIC_CONFIG, Type.STRING, "feedback", Importance.MEDIUM, FEEDBACK_TOPIC_DOC)
            .define(
                    POLL_INTERVAL_MS_CONFIG,
                    Type.LONG,
                    5_000L,
                    ConfigDef.Range.between(100, 86_400_000),
                    Importance.LOW,
                    POLL_INTERVAL_MS_DOC)
            .define(
                    EXTENSIONS_CONFIG,
                    Type.LIST,
                    List.of("jpg", "jpeg", "png", "gif", "bmp"),
                    ConfigDef.ValidList.anyNonDuplicateValues(false, false),
                    Importance.LOW,
                    EXTENSIONS_DOC)
            .define(INLINE_CONFIG, Type.BOOLEAN, false, Importance.LOW, INLINE_DOC)
            .define(
                    INLINE_MAX_BYTES_CONFIG,
                    Type.INT,
                    1 << 20,
                    ConfigDef.Range.between(1, 16 << 20),
                    Importance.LOW,
                    INLINE_MAX_BYTES_DOC)
            .define(
                    LABELER_CONFIG,
                    Type.STRING,
                    "image-folder-connector",
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    LABELER_DOC);

    /**
     * @throws ConfigException naming the key, if a value is invalid or a root is not a readable directory
     */
    public ImageFolderSourceConfig(Map<?, ?> props) {
        super(CONFIG, props);
        for (Path root : roots()) {
            if (!Files.isDirectory(root) || !Files.isReadable(root)) {
                throw new ConfigException(
                        ROOTS_CONFIG, root.toString(), "not a readable directory on the Connect worker");
            }
        }
    }

    /** The watched roots, absolute and normalised. */
    public List<Path> roots() {
        return getList(ROOTS_CONFIG).stream()
                .map(r -> Path.of(r).toAbsolutePath().normalize())
                .toList();
    }

    public String imagesTopic() {
        return getString(IMAGES_TOPIC_CONFIG);
    }

    /** The feedback topic, empty when labels are not sent. */
    public String feedbackTopic() {
        return getString(FEEDBACK_TOPIC_CONFIG);
    }

    public String registryUrl() {
        return getString(REGISTRY_URL_CONFIG);
    }

    public Duration pollInterval() {
        return Duration.ofMillis(getLong(POLL_INTERVAL_MS_CONFIG));
    }

    /** Image extensions, lower case, without the dot. */
    public Set<String> extensions() {
        return getList(EXTENSIONS_CONFIG).stream()
                .map(e -> e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
                .collect(Collectors.toSet());
    }

    public boolean inline() {
        return getBoolean(INLINE_CONFIG);
    }

    public int inlineMaxBytes() {
        return getInt(INLINE_MAX_BYTES_CONFIG);
    }

    public String labeler() {
        return getString(LABELER_CONFIG);
    }
}
