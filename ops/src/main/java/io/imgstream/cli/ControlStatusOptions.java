package io.imgstream.cli;

import io.imgstream.control.ControlTopic;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --status} option of the commands that read the model store ({@code models list}, {@code models show}):
 * what the control topic says of each version, read only when asked, so that those commands work without a broker.
 */
final class ControlStatusOptions {

    /** Shown for a version the control topic has no record of. */
    static final String NONE = "-";

    @Option(
            names = "--status",
            description = "Also read the control topic and show what it says of each version: current, canary (with "
                    + "its share of the images), shadow, or the status of its last announcement. Needs the broker "
                    + "and the registry.")
    private boolean status;

    @Mixin
    private ConnectionOptions connection;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Control topic read by --status (default: topic.model-versions of --kafka-config, else "
                    + "'model-versions').")
    private String topic;

    /**
     * The control topic's latest record per key, when {@code --status} was given.
     *
     * @throws CliException if the broker or the registry does not answer
     */
    Optional<Map<String, ModelVersion>> records() {
        if (!status) {
            return Optional.empty();
        }
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        String name = connection.topic(topic, TopicRole.MODEL_VERSIONS);
        return Optional.of(new ControlTopic(connection.clientProperties(), connection.serdes(), name).latestByKey());
    }

    /**
     * What the control topic says of one version: {@code current}, {@code canary 30%}, {@code shadow} (several
     * joined by commas), else the status of its last announcement ({@code candidate}, {@code rejected},
     * {@code rolled back}, or {@code promoted before} for a version no longer current), else {@value #NONE}.
     *
     * @param records the control topic's latest record per key ({@link ControlTopic#latestByKey()})
     */
    static String of(Map<String, ModelVersion> records, String model, int version) {
        List<String> roles = new ArrayList<>();
        ControlTopic.current(records, model)
                .filter(current -> current.getVersion() == version)
                .ifPresent(current -> roles.add("current"));
        ControlTopic.canary(records, model)
                .filter(canary -> canary.getVersion() == version)
                .ifPresent(canary -> roles.add("canary " + canary.getCanaryPercent() + "%"));
        Optional.ofNullable(records.get(ModelVersionKeys.shadow(model)))
                .filter(shadow -> shadow.getStatus() == ModelStatus.SHADOW && shadow.getVersion() == version)
                .ifPresent(shadow -> roles.add("shadow"));
        if (!roles.isEmpty()) {
            return String.join(", ", roles);
        }
        ModelVersion history = records.get(ModelVersionKeys.history(model, version));
        if (history == null) {
            return NONE;
        }
        String last = history.getStatus().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return switch (history.getStatus()) {
            case PROMOTED, CANARY, SHADOW -> last + " before";
            case CANDIDATE, REJECTED, ROLLED_BACK -> last;
        };
    }
}
