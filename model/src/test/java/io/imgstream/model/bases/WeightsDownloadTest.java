package io.imgstream.model.bases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a loopback server: verified, resumed after a cut, restarted cleanly, refused when wrong. */
class WeightsDownloadTest {

    private static final byte[] FILE = randomBytes(3 << 20);
    private static final String MD5 = md5(FILE);
    private static final WeightsDownload DOWNLOAD = new WeightsDownload(Duration.ofSeconds(10));

    @TempDir
    Path dir;

    @Test
    void shouldStoreTheWholeFileWhenItsMd5Matches() throws Exception {
        Path target = dir.resolve("weights.h5");
        try (WeightsServer server = new WeightsServer(FILE, true, -1)) {
            WeightsDownload.Result result = DOWNLOAD.fetch(
                    server.root().resolve("w.h5"), target, Optional.of(MD5), WeightsDownload.Listener.NONE);

            assertThat(result.md5()).isEqualTo(MD5);
            assertThat(result.bytes()).isEqualTo(FILE.length);
            assertThat(result.resumed()).isFalse();
            assertThat(Files.readAllBytes(target)).isEqualTo(FILE);
        }
    }

    @Test
    void shouldRefuseAndDeleteAFileWhoseMd5DiffersLeavingTheTargetUntouched() throws Exception {
        Path target = dir.resolve("weights.h5");
        try (WeightsServer server = new WeightsServer(FILE, true, -1)) {
            assertThatThrownBy(() -> DOWNLOAD.fetch(
                            server.root().resolve("w.h5"),
                            target,
                            Optional.of("6d6bbae143d832006294945121d1f1fc"),
                            WeightsDownload.Listener.NONE))
                    .isInstanceOf(DownloadException.class)
                    .hasMessageContaining("is not the expected file: md5 " + MD5);
        }
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void shouldLeaveNothingAtTheTargetWhenCutAndResumeWithARangeRequest() throws Exception {
        Path target = dir.resolve("weights.h5");
        try (WeightsServer server = new WeightsServer(FILE, true, FILE.length / 3)) {
            URI url = server.root().resolve("w.h5");
            assertThatThrownBy(() -> DOWNLOAD.fetch(url, target, Optional.of(MD5), WeightsDownload.Listener.NONE))
                    .isInstanceOf(DownloadException.class);
            assertThat(target).doesNotExist();
            assertThat(dir.resolve("weights.h5.part")).exists();

            WeightsDownload.Result result =
                    DOWNLOAD.fetch(url, target, Optional.of(MD5), WeightsDownload.Listener.NONE);

            assertThat(result.resumed()).isTrue();
            assertThat(server.ranges().get(1)).startsWith("bytes=").endsWith("-");
            assertThat(Files.readAllBytes(target)).isEqualTo(FILE);
            assertThat(dir.resolve("weights.h5.part")).doesNotExist();
        }
    }

    @Test
    void shouldRestartCleanlyWhenTheServerSendsTheWholeFileAgain() throws Exception {
        Path target = dir.resolve("weights.h5");
        try (WeightsServer server = new WeightsServer(FILE, false, FILE.length / 2)) {
            URI url = server.root().resolve("w.h5");
            assertThatThrownBy(() -> DOWNLOAD.fetch(url, target, Optional.of(MD5), WeightsDownload.Listener.NONE))
                    .isInstanceOf(DownloadException.class);

            WeightsDownload.Result result =
                    DOWNLOAD.fetch(url, target, Optional.of(MD5), WeightsDownload.Listener.NONE);

            assertThat(result.resumed()).isFalse();
            assertThat(Files.readAllBytes(target)).isEqualTo(FILE);
        }
    }

    @Test
    void shouldSayTheServerIsUnreachableWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port + "/w.h5");

        assertThatThrownBy(
                        () -> DOWNLOAD.fetch(url, dir.resolve("w.h5"), Optional.empty(), WeightsDownload.Listener.NONE))
                .isInstanceOfSatisfying(
                        DownloadException.class,
                        e -> assertThat(e.unreachable()).isTrue())
                .hasMessageContaining(url.toString());
    }

    @Test
    void shouldRefuseSchemesOtherThanHttpHttpsAndFile() {
        assertThatThrownBy(() -> DOWNLOAD.fetch(
                        URI.create("ftp://127.0.0.1/w.h5"),
                        dir.resolve("w.h5"),
                        Optional.empty(),
                        WeightsDownload.Listener.NONE))
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("only http, https and file");
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return bytes;
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
