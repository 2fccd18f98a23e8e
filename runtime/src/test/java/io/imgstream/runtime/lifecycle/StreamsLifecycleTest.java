package io.imgstream.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Kafka Streams instances leave their group on a clean stop. */
class StreamsLifecycleTest {

    @Test
    void shouldTreatAGroupInstanceIdUnderAnyConsumerPrefixAsStaticMembership() {
        assertThat(StreamsLifecycle.staticMember(Map.of("application.id", "scorer")))
                .isFalse();
        assertThat(StreamsLifecycle.staticMember(Map.of("group.instance.id", "scorer-0")))
                .isTrue();
        assertThat(StreamsLifecycle.staticMember(Map.of("consumer.group.instance.id", "scorer-0")))
                .isTrue();
        assertThat(StreamsLifecycle.staticMember(Map.of("main.consumer.group.instance.id", "scorer-0")))
                .isTrue();
        assertThat(StreamsLifecycle.staticMember(Map.of("restore.consumer.group.instance.id", "scorer-0")))
                .isFalse();
    }
}
