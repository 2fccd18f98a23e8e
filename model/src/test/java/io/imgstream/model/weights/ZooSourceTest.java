package io.imgstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.model.VGG16;
import org.junit.jupiter.api.Test;

/** The zoo download without internet: a fast, clear failure that says what to load instead. */
class ZooSourceTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Connect timeout plus name resolution, which can take a few seconds on its own offline. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void shouldFailFastWithWhatToDoInsteadWhenTheZooIsUnreachable() {
        String url = VGG16.builder().build().pretrainedUrl(PretrainedType.IMAGENET);
        assumeFalse(
                reachable(URI.create(url)), () -> url + " is reachable: this test is about machines without internet");
        ZooSource vgg16 = new ZooSource(VGG16.builder().build(), PretrainedType.IMAGENET, CONNECT_TIMEOUT);

        assertTimeoutPreemptively(
                BOUND,
                () -> assertThatThrownBy(vgg16::load)
                        .isInstanceOf(ZooUnavailableException.class)
                        .hasMessageContaining("needs internet access")
                        .hasMessageContaining(url)
                        .hasMessageContaining("KerasH5Source")
                        .hasMessageContaining("TfjsLayersSource")
                        .hasMessageContaining("Dl4jZipSource"));
    }

    @Test
    void shouldDescribeItselfByModelAndWeights() {
        assertThat(ZooSource.vgg16().description()).isEqualTo("dl4j-zoo:vgg16/IMAGENET");
    }

    @Test
    void shouldRefuseANonPositiveTimeout() {
        assertThatThrownBy(() -> new ZooSource(VGG16.builder().build(), PretrainedType.IMAGENET, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout");
    }

    private static boolean reachable(URI url) {
        int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), port), Math.toIntExact(CONNECT_TIMEOUT.toMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
