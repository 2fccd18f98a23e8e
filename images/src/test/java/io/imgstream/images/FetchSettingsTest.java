package io.imgstream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.images.fetch.NetworkRange;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FetchSettingsTest {

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

    private static FetchSettings settings(Map<String, Object> props) {
        return FetchSettings.from(new AbstractConfig(FetchSettings.define(new ConfigDef()), props, false));
    }
}
