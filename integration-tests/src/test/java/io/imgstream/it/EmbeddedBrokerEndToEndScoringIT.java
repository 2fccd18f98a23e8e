package io.imgstream.it;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link EndToEndScoringContract} on the local stack: a KRaft broker and an Apicurio registry started from
 * the project's own jars on 127.0.0.1. Runs everywhere, Docker or not.
 */
class EmbeddedBrokerEndToEndScoringIT extends EndToEndScoringContract {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @Override
    protected String bootstrapServers() {
        return STACK.bootstrapServers();
    }

    @Override
    protected String registryUrl() {
        return STACK.registryUrl();
    }
}
