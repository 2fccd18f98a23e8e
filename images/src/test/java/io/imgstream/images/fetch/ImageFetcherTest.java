package io.imgstream.images.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
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
    void shouldReadThroughASymlinkThatStaysInsideTheRootAndARootThatIsALink() throws Exception {
        Path image = Files.write(Files.createDirectories(root.resolve("sub")).resolve("a.png"), new byte[] {7});
        Path link = Files.createSymbolicLink(root.resolve("alias.png"), image);
        Path linkedRoot = Files.createSymbolicLink(temp.resolve("linked-root"), root);
        ImageFetcher viaLinkedRoot = new ImageFetcher(Set.of("file"), List.of(linkedRoot), 1024);

        assertThat(fetcher.fetch(ref(link.toUri().toString()))).containsExactly(7);
        assertThat(viaLinkedRoot.fetch(
                        ref(linkedRoot.resolve("sub/a.png").toUri().toString())))
                .containsExactly(7);
    }

    @Test
    void shouldRefuseAFifoWithoutBlockingOnIt() throws Exception {
        Path fifo = root.resolve("pipe.png");
        assumeTrue(mkfifo(fifo), "mkfifo is not available");
        Path linkToFifo = Files.createSymbolicLink(root.resolve("link-to-pipe.png"), fifo);

        // Opening a FIFO for reading blocks until a writer comes, which never happens here.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertRefused(fifo.toUri().toString(), DeadLetterStage.FETCH, DeadLetterReason.UNREADABLE, "regular");
            assertRefused(linkToFifo.toUri().toString(), DeadLetterStage.FETCH, DeadLetterReason.UNREADABLE, "regular");
        });
    }

    @Test
    void shouldNeverReadALinkTargetSwappedInAfterTheCheck() throws Exception {
        byte[] image = {1, 2, 3};
        Path secret = Files.write(temp.resolve("secret.png"), new byte[] {6, 6, 6});
        Path file = root.resolve("swap.png");
        Path regular = Files.write(root.resolve(".regular"), image);
        Path link = root.resolve(".link");
        Files.copy(regular, file);
        AtomicBoolean stop = new AtomicBoolean();
        // Alternates swap.png between a regular file and a link out of the root, each swap one atomic rename.
        Thread swapper = new Thread(() -> {
            try {
                while (!stop.get()) {
                    Files.createSymbolicLink(link, secret);
                    Files.move(link, file, StandardCopyOption.ATOMIC_MOVE);
                    Files.copy(regular, regular.resolveSibling(".next"));
                    Files.move(regular.resolveSibling(".next"), file, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        swapper.start();
        int read = 0;
        try {
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                try {
                    assertThat(fetcher.fetch(ref(file.toUri().toString()))).containsExactly(image);
                    read++;
                } catch (FetchException refused) {
                    // Refusing is right whenever the link is there (or the file is mid-swap).
                }
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertThat(read).as("fetches that found the regular file").isPositive();
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

    private static boolean mkfifo(Path path) throws InterruptedException {
        try {
            return new ProcessBuilder("mkfifo", path.toString()).start().waitFor() == 0;
        } catch (IOException missing) {
            return false;
        }
    }

    private static ImageRef ref(String uri) {
        return ImageRef.newBuilder()
                .setId("img-1")
                .setUri(uri)
                .setEventTime(Instant.EPOCH)
                .build();
    }
}
