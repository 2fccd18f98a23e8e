package io.imgstream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.imgstream.images.fetch.FetchException;
import io.imgstream.images.fetch.NetworkRange;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FetchSettingsTest {

    @TempDir
    Path temp;

    @Test
    void shouldAllowNoNonGlobalNetworkByDefault() {
        assertThat(settings(Map.of()).allowedNetworks()).isEmpty();
    }

    @Test
    void shouldReadAllowedNetworks() {
        FetchSettings settings =
                settings(Map.of(FetchSettings.ALLOWED_NETWORKS_CONFIG, "127.0.0.0/8, 10.20.0.0/16,fd00::/8"));

        assertThat(settings.allowedNetworks())
                .containsExactly(
                        NetworkRange.parse("127.0.0.0/8"),
                        NetworkRange.parse("10.20.0.0/16"),
                        NetworkRange.parse("fd00::/8"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "internal.example.com", "10.0.0.1/8"})
    void shouldRefuseSomethingThatIsNotANetwork(String network) {
        assertThatThrownBy(() -> settings(Map.of(FetchSettings.ALLOWED_NETWORKS_CONFIG, network)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(FetchSettings.ALLOWED_NETWORKS_CONFIG)
                .hasMessageContaining("10.20.0.0/16");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/proc", "/proc/self", "/sys/", "/dev", "/dev/shm", "/tmp/../proc"})
    void shouldRefuseTheFileSystemRootAndKernelTreesAsRoots(String root) {
        assertThatThrownBy(() -> settings(Map.of(FetchSettings.ALLOWED_ROOTS_CONFIG, root)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(FetchSettings.ALLOWED_ROOTS_CONFIG)
                .hasMessageContaining("/proc, /sys or /dev");
    }

    @Test
    void shouldRefuseARootThatIsALinkToProc() throws Exception {
        Path link = Files.createSymbolicLink(temp.resolve("innocent"), Path.of("/proc"));

        assertThatThrownBy(() -> settings(Map.of(FetchSettings.ALLOWED_ROOTS_CONFIG, link.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/proc");
    }

    @Test
    void shouldAcceptImageDirectoriesAndNamesThatOnlyLookLikeKernelTrees() {
        String roots = temp.resolve("images") + "," + temp.resolve("proc") + ",/procedures/images";

        assertThat(settings(Map.of(FetchSettings.ALLOWED_ROOTS_CONFIG, roots)).allowedRoots())
                .containsExactly(temp.resolve("images"), temp.resolve("proc"), Path.of("/procedures/images"));
    }

    @Test
    void shouldStopADecodeAtTheDecodeTimeoutAndDeadLetterItAsATimeoutOfTheDecodeStage() throws IOException {
        BufferedImage noise = new BufferedImage(2000, 1500, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(3);
        for (int y = 0; y < noise.getHeight(); y++) {
            for (int x = 0; x < noise.getWidth(); x++) {
                noise.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(noise, "png", png);
        ImageRef ref = ImageRef.newBuilder()
                .setId("slow")
                .setUri("inline:")
                .setInlineBytes(ByteBuffer.wrap(png.toByteArray()))
                .setEventTime(Instant.EPOCH)
                .build();
        FetchSettings settings = settings(Map.of(
                FetchSettings.DECODE_TIMEOUT_MS_CONFIG,
                "1",
                FetchSettings.MAX_BYTES_CONFIG,
                String.valueOf(png.size())));

        FetchException e = catchThrowableOfType(
                FetchException.class, () -> settings.loader().load(ref));

        assertThat(settings.maxDecodeTime()).isEqualTo(Duration.ofMillis(1));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.stage()).isEqualTo(DeadLetterStage.DECODE);
        assertThat(e.reason()).isEqualTo(DeadLetterReason.FETCH_TIMEOUT);
        assertThat(e.getMessage()).contains("image slow", "stopped after 1 ms");
    }

    private static FetchSettings settings(Map<String, Object> props) {
        return FetchSettings.from(new AbstractConfig(FetchSettings.define(new ConfigDef()), props, false));
    }
}
