package io.imgstream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.images.fetch.NetworkRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

    private static FetchSettings settings(Map<String, Object> props) {
        return FetchSettings.from(new AbstractConfig(FetchSettings.define(new ConfigDef()), props, false));
    }
}
