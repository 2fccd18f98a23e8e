package io.imgstream.cli;

import io.imgstream.cli.connect.ConnectorType;
import io.imgstream.labeling.LabelingConfig;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.training.TrainingWorkerConfig;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The configuration tables of docs/configuration.md are generated from the config classes' {@code ConfigDef}s (for
 * the scorer and the worker, the output of {@code --config-reference}); this keeps the committed page in step with
 * them.
 */
class ConfigurationDocTest {

    @Test
    void shouldShowTheGeneratedScorerConfigTable() throws Exception {
        GeneratedDocBlock.assertCurrent(
                "configuration.md",
                "imgstream score --config-reference",
                ConfigReference.markdown(ScorerConfig.CONFIG),
                ConfigurationDocTest.class);
    }

    @Test
    void shouldShowTheGeneratedTrainingWorkerConfigTable() throws Exception {
        GeneratedDocBlock.assertCurrent(
                "configuration.md",
                "imgstream train --config-reference",
                ConfigReference.markdown(TrainingWorkerConfig.CONFIG),
                ConfigurationDocTest.class);
    }

    @Test
    void shouldShowTheGeneratedLabelingPageConfigTable() throws Exception {
        GeneratedDocBlock.assertCurrent(
                "configuration.md",
                "imgstream label serve --config-reference",
                ConfigReference.markdown(LabelingConfig.CONFIG),
                ConfigurationDocTest.class);
    }

    @ParameterizedTest
    @EnumSource(ConnectorType.class)
    void shouldShowTheGeneratedConnectorConfigTable(ConnectorType type) throws Exception {
        // The connectors are only a runtime dependency of ops: load each by name, as a Connect worker does.
        Connector connector = (Connector)
                Class.forName(type.connectorClass()).getDeclaredConstructor().newInstance();

        GeneratedDocBlock.assertCurrent(
                "configuration.md",
                "connector " + type.typeName(),
                ConfigReference.markdown(connector.config()),
                ConfigurationDocTest.class);
    }
}
