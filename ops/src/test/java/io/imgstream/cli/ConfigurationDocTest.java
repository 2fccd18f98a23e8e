package io.imgstream.cli;

import io.imgstream.topology.ScorerConfig;
import io.imgstream.training.TrainingWorkerConfig;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of docs/configuration.md are generated (the output of {@code --config-reference}); this
 * keeps the committed page in step with the config classes.
 */
class ConfigurationDocTest {

    @Test
    void shouldShowTheGeneratedScorerConfigTable() throws Exception {
        GeneratedDocBlock.assertCurrent("configuration.md", "imgstream score --config-reference",
                ConfigReference.markdown(ScorerConfig.CONFIG), ConfigurationDocTest.class);
    }

    @Test
    void shouldShowTheGeneratedTrainingWorkerConfigTable() throws Exception {
        GeneratedDocBlock.assertCurrent("configuration.md", "imgstream train --config-reference",
                ConfigReference.markdown(TrainingWorkerConfig.CONFIG), ConfigurationDocTest.class);
    }
}
