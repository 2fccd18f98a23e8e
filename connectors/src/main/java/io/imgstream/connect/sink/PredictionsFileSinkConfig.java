package io.imgstream.connect.sink;

import io.imgstream.schemas.ConnectionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of {@link PredictionsFileSinkConnector}; every key declared once in {@link #CONFIG}. */
public final class PredictionsFileSinkConfig extends AbstractConfig {

    public static final String DIRECTORY_CONFIG = "directory";
    private static final String DIRECTORY_DOC = "Directory the files are written to, on the Connect worker.";

    public static final String FORMAT_CONFIG = "format";
    private static final String FORMAT_DOC =
            "jsonl (one JSON object a line) or csv (a header, then one prediction a line).";

    public static final String ROLL_BYTES_CONFIG = "roll.bytes";
    private static final String ROLL_BYTES_DOC =
            "A file is committed (renamed to its final name) once it holds this many bytes.";

    public static final String ROLL_INTERVAL_MS_CONFIG = "roll.interval.ms";
    private static final String ROLL_INTERVAL_MS_DOC =
            "A file is committed at the first offset commit after it has been open this long, however small.";

    public static final String REGISTRY_URL_CONFIG = ConnectionSettings.REGISTRY_URL_CONFIG;
    private static final String REGISTRY_URL_DOC =
            "Base URL of the schema registry the Prediction records are read with; "
                    + "use org.apache.kafka.connect.converters.ByteArrayConverter as value.converter.";

    /** The definition of every key. */
    public static final ConfigDef CONFIG = ConnectionSettings.defineRegistryUrl(
                    new ConfigDef()
                            .define(
                                    DIRECTORY_CONFIG,
                                    Type.STRING,
                                    ConfigDef.NO_DEFAULT_VALUE,
                                    new ConfigDef.NonEmptyString(),
                                    Importance.HIGH,
                                    DIRECTORY_DOC),
                    REGISTRY_URL_DOC)
            .define(
                    FORMAT_CONFIG,
                    Type.STRING,
                    "jsonl",
                    ConfigDef.CaseInsensitiveValidString.in("jsonl", "csv"),
                    Importance.MEDIUM,
                    FORMAT_DOC)
            .define(
                    ROLL_BYTES_CONFIG,
                    Type.LONG,
                    64L << 20,
                    ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM,
                    ROLL_BYTES_DOC)
            .define(
                    ROLL_INTERVAL_MS_CONFIG,
                    Type.LONG,
                    600_000L,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    ROLL_INTERVAL_MS_DOC);

    /** @throws org.apache.kafka.common.config.ConfigException naming the key, if a value is invalid */
    public PredictionsFileSinkConfig(Map<?, ?> props) {
        super(CONFIG, props);
    }

    public Path directory() {
        return Path.of(getString(DIRECTORY_CONFIG)).toAbsolutePath().normalize();
    }

    public PredictionFormat format() {
        return PredictionFormat.valueOf(getString(FORMAT_CONFIG).toUpperCase(Locale.ROOT));
    }

    public long rollBytes() {
        return getLong(ROLL_BYTES_CONFIG);
    }

    public Duration rollInterval() {
        return Duration.ofMillis(getLong(ROLL_INTERVAL_MS_CONFIG));
    }

    public String registryUrl() {
        return getString(REGISTRY_URL_CONFIG);
    }
}
