package io.imgstream.training.refit;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.training.labels.LabeledExample;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabelLedgerTest {

    @Test
    void shouldCountNewImagesRelabelsAndRemovalsSinceTheLastRefit() {
        LabelLedger ledger = new LabelLedger(0);
        List<LabeledExample> first = List.of(example("a", "cat"), example("b", "dog"), example("c", "cat"));
        assertThat(ledger.newLabels(first)).isEqualTo(3);
        ledger.refitted(first);
        assertThat(ledger.newLabels(first)).isZero();

        List<LabeledExample> second = List.of(example("a", "cat"), example("b", "fox"), example("d", "dog"));
        assertThat(ledger.newLabels(second)).as("b relabeled, d new, c gone").isEqualTo(3);
    }

    @Test
    void shouldCountFromTheNewestVersionsLabeledSetAfterARestart() {
        LabelLedger ledger = new LabelLedger(2);
        assertThat(ledger.newLabels(List.of(example("a", "cat"), example("b", "dog"), example("c", "cat"))))
                .isEqualTo(1);
        assertThat(ledger.newLabels(List.of(example("a", "cat")))).isZero();
    }

    private static LabeledExample example(String id, String label) {
        return new LabeledExample(id, label, SplitHint.ANY, Optional.empty(), Optional.empty(), Instant.EPOCH);
    }
}
