package io.imgstream.clients.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelCsvTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldReadEveryRowWithItsOptionalColumns() throws IOException {
        Path csv = write("label,image_id,split,confidence,uri\n"
                + "Sandal,img-1,holdout,0.5,file:///data/1.png\n"
                + "Bag,img-2,,,\n");

        List<LabelFeedback> labels = LabelCsv.read(csv, "ana", NOW);

        assertThat(labels).hasSize(2);
        assertThat(labels.get(0)).satisfies(first -> {
            assertThat(first.getImageId()).hasToString("img-1");
            assertThat(first.getLabel()).hasToString("Sandal");
            assertThat(first.getSplit()).isEqualTo(SplitHint.HOLDOUT);
            assertThat(first.getConfidence()).isEqualTo(0.5f);
            assertThat(first.getUri()).hasToString("file:///data/1.png");
            assertThat(first.getLabeler()).hasToString("ana");
            assertThat(first.getTime()).isEqualTo(NOW);
        });
        assertThat(labels.get(1)).satisfies(second -> {
            assertThat(second.getSplit()).as("blank split").isEqualTo(SplitHint.ANY);
            assertThat(second.getConfidence()).as("blank confidence").isEqualTo(1.0f);
            assertThat(second.getUri()).as("blank uri").isNull();
        });
    }

    @Test
    void shouldNameTheLineOfARowWithoutALabel() throws IOException {
        Path csv = write("image_id,label\nimg-1,Sandal\nimg-2,\n");

        assertThatThrownBy(() -> LabelCsv.read(csv, "ana", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(csv + " line 3: needs an image_id and a label (the header row must name them)");
    }

    @Test
    void shouldRefuseBadSplitsAndConfidencesWithTheLine() throws IOException {
        Path badSplit = write("image_id,label,split\nimg-1,Sandal,test\n");
        Path badConfidence = write("image_id,label,confidence\nimg-1,Sandal,1.5\n");
        Path notANumber = write("image_id,label,confidence\nimg-1,Sandal,high\n");

        assertThatThrownBy(() -> LabelCsv.read(badSplit, "ana", NOW))
                .hasMessage(badSplit + " line 2: 'test' is not a split: give any, train or holdout");
        assertThatThrownBy(() -> LabelCsv.read(badConfidence, "ana", NOW))
                .hasMessage(badConfidence + " line 2: confidence 1.5 is not a number in [0, 1]");
        assertThatThrownBy(() -> LabelCsv.read(notANumber, "ana", NOW))
                .hasMessage(notANumber + " line 2: confidence 'high' is not a number in [0, 1]");
    }

    @Test
    void shouldRefuseAFileWithNoRows() throws IOException {
        Path csv = write("image_id,label\n");

        assertThatThrownBy(() -> LabelCsv.read(csv, "ana", NOW)).hasMessage(csv + " has no label rows");
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "labels", ".csv");
        Files.writeString(file, text);
        return file;
    }
}
