package io.imgstream.cli;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Renders a {@link ConfigDef} as the Markdown table docs/configuration.md shows, so the docs never restate defaults by
 * hand.
 */
public final class ConfigReference {

    private ConfigReference() {}

    /** One row per key, in declaration order: key, type, default, valid values, documentation. */
    public static String markdown(ConfigDef definition) {
        StringBuilder table = new StringBuilder("| key | type | default | valid values | description |\n")
                .append("| --- | --- | --- | --- | --- |\n");
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            table.append("| `")
                    .append(key.name)
                    .append("` | ")
                    .append(key.type.toString().toLowerCase(Locale.ROOT))
                    .append(" | ")
                    .append(defaultOf(key))
                    .append(" | ")
                    .append(key.validator == null ? "" : escape(key.validator.toString()))
                    .append(" | ")
                    .append(escape(key.documentation))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        Object value = key.defaultValue;
        if (value instanceof Password) {
            return "(hidden)";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty()
                    ? "(empty)"
                    : "`" + list.stream().map(String::valueOf).collect(Collectors.joining(",")) + "`";
        }
        return value == null || value.toString().isEmpty() ? "(empty)" : "`" + value + "`";
    }

    /** Keeps a cell whole, and text such as {@code <port>} from being read as an HTML tag and hidden. */
    private static String escape(String text) {
        return text.replace("<", "\\<").replace("|", "\\|").replace("\n", " ");
    }
}
