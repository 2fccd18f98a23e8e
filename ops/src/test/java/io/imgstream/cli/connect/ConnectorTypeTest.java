package io.imgstream.cli.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorTypeTest {

    @Test
    void shouldFillInClassConvertersRegistryAndAbsolutePaths() {
        Map<String, String> config = ConnectorType.of("image-folder")
                .config("http://127.0.0.1:18081", Map.of("roots", "data/a, /srv/b", "poll.interval.ms", "1000"));

        assertThat(config)
                .containsEntry("connector.class", "io.imgstream.connect.source.ImageFolderSourceConnector")
                .containsEntry("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter")
                .containsEntry("registry.url", "http://127.0.0.1:18081")
                .containsEntry("roots", Path.of("data/a").toAbsolutePath().normalize() + ",/srv/b")
                .containsEntry("poll.interval.ms", "1000");
    }

    @Test
    void shouldLetSettingsOverrideTheSinksDefaults() {
        Map<String, String> config =
                ConnectorType.of("PREDICTIONS-FILES").config("http://r", Map.of("topics", "other"));

        assertThat(config).containsEntry("topics", "other").containsEntry("errors.tolerance", "all");
        assertThatThrownBy(() -> ConnectorType.of("jdbc")).hasMessageContaining("image-folder, predictions-files");
    }
}
