package io.imgstream.topology.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.images.fetch.FetchException;
import io.imgstream.schemas.FailureVerdict;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

    @Test
    void shouldFailTheTaskWhenTheRegistryIsUnreachable() {
        assertThat(FailureClassifier.isInfrastructureFailure(
                        new UncheckedIOException(new ConnectException("Connection refused"))))
                .isTrue();
    }

    @Test
    void shouldFailTheTaskForATimeoutDeepInTheCauseChain() {
        assertThat(FailureClassifier.isInfrastructureFailure(
                        new IllegalStateException(new RuntimeException(new TimeoutException("no answer")))))
                .isTrue();
    }

    @Test
    void shouldFailTheTaskForAnError() {
        assertThat(FailureClassifier.isInfrastructureFailure(new OutOfMemoryError("Java heap space")))
                .isTrue();
    }

    @Test
    void shouldDeadLetterARecordThatDoesNotDeserialize() {
        assertThat(FailureClassifier.isInfrastructureFailure(new SerializationException("unknown magic byte")))
                .isFalse();
    }

    @Test
    void shouldDeadLetterAFetchRefusalWhateverItsCause() {
        FetchException refusal = new FetchException(
                DeadLetterStage.FETCH,
                DeadLetterReason.FETCH_FAILED,
                "image 7: https://images.example.com/7.png could not be fetched",
                new ConnectException("refused"));

        assertThat(FailureClassifier.isInfrastructureFailure(refusal)).isFalse();
    }

    @Test
    void shouldLayARecordCutShortAtTheRecordsDoorNotAtTheRegistrys() {
        SerializationException cutShort =
                new SerializationException("Error deserializing Avro message", new EOFException());

        assertThat(FailureClassifier.classify(cutShort)).isEqualTo(FailureVerdict.RECORD);
    }

    @Test
    void shouldCallUnreachableServersInfrastructure() {
        assertThat(FailureClassifier.classify(new RuntimeException(new UnknownHostException("registry"))))
                .isEqualTo(FailureVerdict.INFRASTRUCTURE);
        assertThat(FailureClassifier.classify(new org.apache.kafka.common.errors.TimeoutException("metadata")))
                .isEqualTo(FailureVerdict.INFRASTRUCTURE);
    }

    @Test
    void shouldCallOtherIoErrorsAndErrorsUncertain() {
        assertThat(FailureClassifier.classify(new UncheckedIOException(new IOException("stream closed"))))
                .isEqualTo(FailureVerdict.UNCERTAIN);
        assertThat(FailureClassifier.classify(new OutOfMemoryError("Java heap space")))
                .isEqualTo(FailureVerdict.UNCERTAIN);
    }
}
