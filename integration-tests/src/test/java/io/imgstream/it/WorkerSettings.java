package io.imgstream.it;

import io.imgstream.images.FetchSettings;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.training.TrainingWorkerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** The training-worker settings the integration tests share; each test adds its base and refit cadence. */
final class WorkerSettings {

    private WorkerSettings() {}

    /**
     * A worker on the stack's broker and registry with a fresh application id, its state under {@code dir}
     * ({@code training/}) and its model store there too ({@code models/}), JMX off, fetching only below
     * {@code images}, on the catalog's topics.
     */
    static Map<String, Object> on(
            LocalStackExtension stack, TopicCatalog topics, String model, Path dir, Path images, String idPrefix) {
        Map<String, Object> props = new HashMap<>();
        props.put(TrainingWorkerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(TrainingWorkerConfig.REGISTRY_URL_CONFIG, stack.registryUrl());
        props.put(TrainingWorkerConfig.APPLICATION_ID_CONFIG, idPrefix + "-" + UUID.randomUUID());
        props.put(TrainingWorkerConfig.STATE_DIR_CONFIG, dir.resolve("training").toString());
        props.put(TrainingWorkerConfig.MODEL_NAME_CONFIG, model);
        props.put(TrainingWorkerConfig.MODEL_STORE_CONFIG, dir.resolve("models").toString());
        props.put(TrainingWorkerConfig.METRICS_JMX_ENABLED_CONFIG, false);
        props.put(FetchSettings.ALLOWED_ROOTS_CONFIG, images.toString());
        for (TopicRole role : TopicRole.values()) {
            props.put(TrainingWorkerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        return props;
    }

    /** A small CNN saved as a DL4J zip as the base, its features taken at {@code pool2}, on 28x28 grey input. */
    static Map<String, Object> withSmallCnnBase(Map<String, Object> props, Path weights, String name) {
        props.put(TrainingWorkerConfig.BASE_PRESET_CONFIG, "network");
        props.put(TrainingWorkerConfig.BASE_WEIGHTS_CONFIG, weights.toString());
        props.put(TrainingWorkerConfig.BASE_LAYER_CONFIG, SmallCnn.POOL2);
        props.put(TrainingWorkerConfig.BASE_NAME_CONFIG, name);
        props.put(TrainingWorkerConfig.BASE_INPUT_CONFIG, "28x28x1");
        props.put(TrainingWorkerConfig.BASE_SCALING_CONFIG, PixelScaling.UNIT.name());
        return props;
    }
}
