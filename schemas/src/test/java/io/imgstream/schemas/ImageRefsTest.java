package io.imgstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.ImageRef;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRefsTest {

    @TempDir
    Path temp;

    @Test
    void shouldTakeIdAndInlineBytesFromTheContentGivenAndTheNameFromThePath() throws Exception {
        Path file = Files.write(temp.resolve("cat.png"), new byte[] {1, 2, 3});

        ImageRef inline =
                ImageRefs.of(file, new ByteArrayInputStream(new byte[] {1, 2, 3}), true, "test", Instant.EPOCH);
        ImageRef byUri = ImageRefs.of(file, false, "test", Instant.EPOCH);

        assertThat(inline.getId()).isEqualTo(ImageRefs.idOf(file)).isEqualTo(byUri.getId());
        assertThat(inline.getUri()).isEqualTo("inline:");
        assertThat(inline.getInlineBytes()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(inline.getAttributes()).containsEntry(ImageRefs.FILENAME_ATTRIBUTE, "cat.png");
        assertThat(byUri.getUri()).isEqualTo(file.toUri().toString());
    }
}
