package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** docs/cli.md is generated from the picocli annotations; this keeps the committed page in step with the code. */
class CliReferenceTest {

    @Test
    void shouldShowTheGeneratedCliReference() throws Exception {
        GeneratedDocBlock.assertCurrent("cli.md", "CliReference", CliReference.markdown(), CliReferenceTest.class);
    }

    @Test
    void shouldRenderEveryCommandWithItsOptionsAndDefaults() {
        String reference = CliReference.markdown();

        assertThat(reference)
                .contains("## imgstream stack up\n")
                .contains("## imgstream models promote\n")
                .contains("## imgstream bench scale\n")
                .contains("| `--broker-port` `PORT` | `19092` |")
                .contains("| `--type` `TYPE` | (required) |")
                .contains("| 3 | Kafka broker unreachable. |");
    }

    @Test
    void shouldNotDependOnTheMachineItRunsOn() {
        // --labeler defaults to ${sys:user.name}: interpolated, the page would change with whoever regenerated it.
        assertThat(CliReference.markdown()).contains("| `--labeler` `NAME` | `${sys:user.name}` |");
    }
}
