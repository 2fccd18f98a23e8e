package io.imgstream.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTaskTest {

    @TempDir
    Path temp;

    private final ImageFolderSourceTask task = new ImageFolderSourceTask();

    @AfterEach
    void stop() {
        task.stop();
    }

    @Test
    void shouldNotPublishTheTargetOfALinkOutOfItsRootInline() throws Exception {
        Path root = Files.createDirectories(temp.resolve("watched"));
        Path secret = Files.write(temp.resolve("secret.png"), new byte[] {6, 6, 6});
        Files.createSymbolicLink(root.resolve("innocent.png"), secret);
        Files.createSymbolicLink(Files.createDirectories(root.resolve("Cat")).resolve("cat.png"), secret);
        task.initialize(new NoOffsetsContext());
        task.start(Map.of(
                ImageFolderSourceConfig.ROOTS_CONFIG, root.toString(),
                ImageFolderSourceConfig.REGISTRY_URL_CONFIG, "http://127.0.0.1:9",
                ImageFolderSourceConfig.INLINE_CONFIG, "true"));

        // Nothing to send, so nothing is serialized (the registry above is never contacted).
        assertThat(task.poll()).isNull();
    }

    /** A task context with no stored offsets, as on a first start. */
    private static final class NoOffsetsContext implements SourceTaskContext {

        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        /** The task registers no metrics. */
        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return null;
                }

                @Override
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    return Map.of();
                }
            };
        }
    }
}
