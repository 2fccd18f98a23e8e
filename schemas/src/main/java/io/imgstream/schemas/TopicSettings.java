package io.imgstream.schemas;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code topic.<default name>} keys that rename topics, shared by every application's configuration: defined once
 * here, added to each application's {@link ConfigDef}.
 */
public final class TopicSettings {

    /** Prefix of the keys: {@code topic.images=my-images} renames the images topic. */
    public static final String PREFIX = "topic.";

    private static final String DOC = "Name of the %s topic.";

    private TopicSettings() {}

    /**
     * Adds a key per topic role to a definition.
     *
     * @return {@code def}
     */
    public static ConfigDef define(ConfigDef def) {
        for (TopicRole role : TopicRole.values()) {
            def.define(
                    PREFIX + role.defaultName(),
                    Type.STRING,
                    role.defaultName(),
                    new ConfigDef.NonEmptyString(),
                    Importance.LOW,
                    String.format(DOC, role.defaultName()));
        }
        return def;
    }

    /**
     * The catalog the keys {@link #define} added describe.
     *
     * @throws ConfigException if two roles are given one name
     */
    public static TopicCatalog from(AbstractConfig config) {
        Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
        for (TopicRole role : TopicRole.values()) {
            names.put(role, config.getString(PREFIX + role.defaultName()));
        }
        try {
            return TopicCatalog.withNames(names);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
