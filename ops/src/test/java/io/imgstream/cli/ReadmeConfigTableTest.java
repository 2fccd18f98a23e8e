package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.topology.ScorerConfig;
import io.imgstream.training.TrainingWorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is generated; this keeps the committed copy in step with the code. */
class ReadmeConfigTableTest {

    @Test
    void shouldShowTheGeneratedScorerConfigTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));

        assertThat(readme)
                .as("README.md must contain the output of './imgstream score --config-reference'")
                .contains(ConfigReference.markdown(ScorerConfig.CONFIG));
    }

    @Test
    void shouldShowTheGeneratedTrainingWorkerConfigTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));

        assertThat(readme)
                .as("README.md must contain the output of './imgstream train --config-reference'")
                .contains(ConfigReference.markdown(TrainingWorkerConfig.CONFIG));
    }
}
