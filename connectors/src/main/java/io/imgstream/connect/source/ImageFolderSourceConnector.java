package io.imgstream.connect.source;

import io.imgstream.connect.ConnectorVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source of images kept in folders: an {@code ImageRef} per image file under the configured roots and,
 * where the folder names a class ({@code train/<class>/}, {@code validation/<class>/}, {@code <class>/}), a
 * {@code LabelFeedback} with the split as a hint. Roots are shared out among the tasks.
 */
public final class ImageFolderSourceConnector extends SourceConnector {

    private Map<String, String> settings;
    private List<String> roots;

    @Override
    public void start(Map<String, String> props) {
        ImageFolderSourceConfig config = new ImageFolderSourceConfig(props);
        this.settings = Map.copyOf(props);
        this.roots = config.roots().stream().map(Object::toString).toList();
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ImageFolderSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        int tasks = Math.max(1, Math.min(maxTasks, roots.size()));
        List<List<String>> shares = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            shares.add(new ArrayList<>());
        }
        for (int r = 0; r < roots.size(); r++) {
            shares.get(r % tasks).add(roots.get(r));
        }
        List<Map<String, String>> configs = new ArrayList<>();
        for (List<String> share : shares) {
            Map<String, String> config = new HashMap<>(settings);
            config.put(ImageFolderSourceConfig.ROOTS_CONFIG, String.join(",", share));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
        // Nothing held: the tasks own their scans.
    }

    /** Adds the checks {@link ConfigDef} can't express: every root must be a readable directory on this worker. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = super.validate(connectorConfigs);
        String roots = connectorConfigs.get(ImageFolderSourceConfig.ROOTS_CONFIG);
        if (roots == null) {
            return result;
        }
        for (ConfigValue value : result.configValues()) {
            if (value.name().equals(ImageFolderSourceConfig.ROOTS_CONFIG)
                    && value.errorMessages().isEmpty()) {
                for (String root : roots.split(",")) {
                    Path path = Path.of(root.strip());
                    if (!Files.isDirectory(path) || !Files.isReadable(path)) {
                        value.addErrorMessage(
                                "root '" + root.strip() + "' is not a readable directory on the Connect worker");
                    }
                }
            }
        }
        return result;
    }

    @Override
    public ConfigDef config() {
        return ImageFolderSourceConfig.CONFIG;
    }

    @Override
    public String version() {
        return ConnectorVersion.get();
    }
}
