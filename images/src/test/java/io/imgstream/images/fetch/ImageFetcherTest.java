package io.imgstream.images.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFetcherTest {

    @TempDir
    Path temp;

    private Path root;
    private ImageFetcher fetcher;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(temp.resolve("allowed"));
        fetcher = new ImageFetcher(Set.of("file", "inline"), List.of(root), 1024);
    }

    @Test
    void shouldReadFileUnderAllowedRoot() throws Exception {
        Path image = Files.write(root.resolve("a.png"), new byte[] {1, 2, 3});

        assertThat(fetcher.fetch(ref(image.toUri().toString()))).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRefuseDotDotEscape() throws Exception {
        Files.write(temp.resolve("secret.png"), new byte[] {9});
        String uri = root.toUri() + "../secret.png";

        assertRefused(uri, DeadLetterStage.VALIDATE, DeadLetterReason.PATH_NOT_ALLOWED, "fetch.allowed.roots");
    }

    @Test
    void shouldRefuseSymlinkPointingOutOfRoot() throws Exception {
        Path secret = Files.write(temp.resolve("secret.png"), new byte[] {9});
        Path link = Files.createSymbolicLink(root.resolve("link.png"), secret);

        assertRefused(link.toUri().toString(), DeadLetterStage.VALIDATE, DeadLetterReason.PATH_NOT_ALLOWED, "outside");
    }

    @Test
    void shouldRefuseRootPrefixThatIsNotAParentFolder() throws Exception {
        Path sibling = Files.createDirectories(temp.resolve("allowed-not"));
        Path image = Files.write(sibling.resolve("a.png"), new byte[] {1});

        assertRefused(image.toUri().toString(), DeadLetterStage.VALIDATE, DeadLetterReason.PATH_NOT_ALLOWED, "outside");
    }

    @Test
    void shouldReportMissingFile() {
        assertRefused(
                root.resolve("missing.png").toUri().toString(),
                DeadLetterStage.FETCH,
                DeadLetterReason.NOT_FOUND,
                "does not exist");
    }

    @Test
    void shouldRefuseFileOverSizeCap() throws Exception {
        Path image = Files.write(root.resolve("big.png"), new byte[2048]);

        assertRefused(
                image.toUri().toString(), DeadLetterStage.FETCH, DeadLetterReason.TOO_LARGE, "fetch.max.bytes=1024");
    }

    @Test
    void shouldRefuseFolder() throws Exception {
        Path folder = Files.createDirectories(root.resolve("sub"));

        assertRefused(
                folder.toUri().toString(), DeadLetterStage.FETCH, DeadLetterReason.UNREADABLE, "not a regular file");
    }

    @Test
    void shouldRefuseSchemesNotAllowed() {
        assertRefused(
                "http://169.254.169.254/latest/meta-data",
                DeadLetterStage.VALIDATE,
                DeadLetterReason.SCHEME_NOT_ALLOWED,
                "scheme 'http'");
        assertRefused("jar:file:/x.jar!/a.png", DeadLetterStage.VALIDATE, DeadLetterReason.SCHEME_NOT_ALLOWED, "'jar'");
    }

    @Test
    void shouldRefuseReferenceWithoutScheme() {
        assertRefused("/etc/passwd", DeadLetterStage.VALIDATE, DeadLetterReason.INVALID_URI, "no scheme");
    }

    @Test
    void shouldRefuseFileUriWithHostOrQuery() {
        assertRefused(
                "file://evil.example.com/etc/passwd",
                DeadLetterStage.VALIDATE,
                DeadLetterReason.INVALID_URI,
                "not a valid file URI");
        assertRefused(
                root.toUri() + "a.png?x=1",
                DeadLetterStage.VALIDATE,
                DeadLetterReason.INVALID_URI,
                "query or fragment");
    }

    @Test
    void shouldReturnInlineBytes() throws Exception {
        ImageRef ref = ref("inline:");
        ref.setInlineBytes(ByteBuffer.wrap(new byte[] {4, 5}));

        assertThat(fetcher.fetch(ref)).containsExactly(4, 5);
    }

    @Test
    void shouldRefuseInlineWithoutBytesOrTooLarge() {
        assertRefused("inline:", DeadLetterStage.VALIDATE, DeadLetterReason.INVALID_URI, "inlineBytes is empty");

        ImageRef big = ref("inline:");
        big.setInlineBytes(ByteBuffer.wrap(new byte[4096]));
        assertThatThrownBy(() -> fetcher.fetch(big))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.TOO_LARGE));
    }

    @Test
    void shouldRefuseEveryFileWhenNoRootIsConfigured() throws Exception {
        ImageFetcher noRoots = new ImageFetcher(Set.of("file"), List.of(), 1024);
        Path image = Files.write(root.resolve("a.png"), new byte[] {1});

        assertThatThrownBy(() -> noRoots.fetch(ref(image.toUri().toString())))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.PATH_NOT_ALLOWED));
    }

    private void assertRefused(String uri, DeadLetterStage stage, DeadLetterReason reason, String messagePart) {
        assertThatThrownBy(() -> fetcher.fetch(ref(uri))).isInstanceOfSatisfying(FetchException.class, e -> {
            assertThat(e.stage()).isEqualTo(stage);
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains("image img-1").contains(messagePart);
        });
    }

    private static ImageRef ref(String uri) {
        return ImageRef.newBuilder()
                .setId("img-1")
                .setUri(uri)
                .setEventTime(Instant.EPOCH)
                .build();
    }
}
