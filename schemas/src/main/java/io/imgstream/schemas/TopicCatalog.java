package io.imgstream.schemas;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The immutable set of topics the system uses, built from defaults plus optional renames.
 * The one place where topic names come from: the scorer, the worker, the CLI and the tests all ask it.
 */
public final class TopicCatalog {

    private final Map<TopicRole, TopicSpec> topics;

    private TopicCatalog(Map<TopicRole, TopicSpec> topics) {
        this.topics = Collections.unmodifiableMap(topics);
    }

    /** Every topic under its default name. */
    public static TopicCatalog defaults() {
        return withNames(Map.of());
    }

    /**
     * Every topic under its default name, except the roles given in {@code names}.
     *
     * @throws IllegalArgumentException if a name is blank or two roles would share one topic
     */
    public static TopicCatalog withNames(Map<TopicRole, String> names) {
        Map<TopicRole, TopicSpec> specs = new EnumMap<>(TopicRole.class);
        for (TopicRole role : TopicRole.values()) {
            String name = names.getOrDefault(role, role.defaultName());
            specs.put(role, new TopicSpec(role, name, role.compacted(), role.valueSchema()));
        }
        long distinct = specs.values().stream().map(TopicSpec::name).distinct().count();
        if (distinct != specs.size()) {
            throw new IllegalArgumentException("two topic roles share one topic name: " + names);
        }
        return new TopicCatalog(specs);
    }

    /**
     * Every topic under its default name followed by {@code suffix} ({@code images-run7}, ...), for runs and
     * tests that share a cluster and must not see each other's records.
     */
    public static TopicCatalog withSuffix(String suffix) {
        Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
        for (TopicRole role : TopicRole.values()) {
            names.put(role, role.defaultName() + suffix);
        }
        return withNames(names);
    }

    /** The topic playing {@code role}. */
    public TopicSpec get(TopicRole role) {
        return topics.get(role);
    }

    /** Shorthand for {@code get(role).name()}. */
    public String name(TopicRole role) {
        return topics.get(role).name();
    }

    /** All topics, in role order. */
    public Collection<TopicSpec> all() {
        return topics.values();
    }
}
