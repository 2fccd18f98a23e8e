package io.imgstream.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.SplitHint;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FolderLayoutTest {

    @Test
    void shouldReadTheRecipesLayouts() {
        assertThat(FolderLayout.of(Path.of("train/cats/cat001.jpg")))
                .isEqualTo(new FolderLayout(Optional.of("cats"), SplitHint.TRAIN));
        assertThat(FolderLayout.of(Path.of("validation/dogs/dog001.jpg")))
                .isEqualTo(new FolderLayout(Optional.of("dogs"), SplitHint.HOLDOUT));
        assertThat(FolderLayout.of(Path.of("test/dogs/dog9.png")))
                .isEqualTo(new FolderLayout(Optional.of("dogs"), SplitHint.HOLDOUT));
        assertThat(FolderLayout.of(Path.of("cats/cat001.jpg")))
                .isEqualTo(new FolderLayout(Optional.of("cats"), SplitHint.ANY));
        assertThat(FolderLayout.of(Path.of("cat001.jpg"))).isEqualTo(new FolderLayout(Optional.empty(), SplitHint.ANY));
    }

    @Test
    void shouldTakeTheClassFromTheImagesFolderInDeeperTrees() {
        assertThat(FolderLayout.of(Path.of("train/2024/cats/a.jpg")))
                .isEqualTo(new FolderLayout(Optional.of("cats"), SplitHint.TRAIN));
        assertThat(FolderLayout.of(Path.of("train/a.jpg")))
                .as("a split folder without classes")
                .isEqualTo(new FolderLayout(Optional.empty(), SplitHint.TRAIN));
    }
}
