package io.imgstream.it;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * {@link EndToEndScoringContract} on a containerised broker and registry, where Docker exists; skipped
 * (not failed) where it does not, as on the project's build machines.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerizedEndToEndScoringIT extends EndToEndScoringContract {

    private static final int REGISTRY_PORT = 8080;

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>("apicurio/apicurio-registry:3.0.9")
            .withExposedPorts(REGISTRY_PORT)
            .waitingFor(Wait.forHttp("/apis/ccompat/v7/config").forStatusCode(200));

    @Override
    protected String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }

    @Override
    protected String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(REGISTRY_PORT);
    }
}
