package io.imgstream.images.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkRangeTest {

    @Test
    void shouldContainTheAddressesOfItsPrefixOnly() throws Exception {
        NetworkRange corporate = NetworkRange.parse(" 172.16.0.0/12 ");

        assertThat(corporate.contains(InetAddress.getByName("172.31.255.255"))).isTrue();
        assertThat(corporate.contains(InetAddress.getByName("172.32.0.0"))).isFalse();
        assertThat(corporate.contains(InetAddress.getByName("::ffff:ac10:1"))).isTrue();
        assertThat(corporate.contains(InetAddress.getByName("fd00::1"))).isFalse();
        assertThat(corporate).hasToString("172.16.0.0/12");
    }

    @Test
    void shouldReadABareAddressAsABlockOfOne() throws Exception {
        NetworkRange one = NetworkRange.parse("fd00::7");

        assertThat(one.contains(InetAddress.getByName("fd00::7"))).isTrue();
        assertThat(one.contains(InetAddress.getByName("fd00::8"))).isFalse();
        assertThat(one).isEqualTo(NetworkRange.parse("fd00::7/128"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.1/8", "example.com/8", "localhost", "10.0.0.0/x", "", "fd00::/129"})
    void shouldRefuseWhatIsNotANetwork(String cidr) {
        assertThatThrownBy(() -> NetworkRange.parse(cidr)).isInstanceOf(IllegalArgumentException.class);
    }
}
