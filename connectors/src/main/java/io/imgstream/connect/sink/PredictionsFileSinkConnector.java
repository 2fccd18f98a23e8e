package io.imgstream.connect.sink;

import io.imgstream.connect.ConnectorVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink of predictions into files: JSON Lines or CSV, rolled by size or time, at least once, with file
 * names fixed by each file's first offset so a restart never duplicates a line in a committed file.
 */
public final class PredictionsFileSinkConnector extends SinkConnector {

    private Map<String, String> settings;

    @Override
    public void start(Map<String, String> props) {
        new PredictionsFileSinkConfig(props);
        this.settings = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PredictionsFileSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        // File names carry topic and partition, so tasks writing into one directory never share a file.
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(settings);
        }
        return configs;
    }

    @Override
    public void stop() {
        // Nothing held: the tasks own their files.
    }

    @Override
    public ConfigDef config() {
        return PredictionsFileSinkConfig.CONFIG;
    }

    @Override
    public String version() {
        return ConnectorVersion.get();
    }
}
