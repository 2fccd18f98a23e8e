package io.imgstream.images.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {

    private final AddressGuard defaults = new AddressGuard(List.of());

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, loopback",
        "127.255.0.9, loopback",
        "10.1.2.3, private",
        "172.16.0.1, private",
        "172.31.255.255, private",
        "192.168.1.1, private",
        "100.64.0.1, shared",
        "169.254.169.254, link-local",
        "0.0.0.0, this network",
        "0.1.2.3, this network",
        "224.0.0.1, multicast",
        "255.255.255.255, broadcast",
        "192.0.2.10, documentation",
        "::1, non-global IPv6",
        "::, non-global IPv6",
        "fc00::1, non-global IPv6",
        "fd12:3456::1, non-global IPv6",
        "fe80::1, non-global IPv6",
        "ff02::1, non-global IPv6",
        "::ffff:127.0.0.1, loopback",
        "::ffff:10.0.0.1, private",
        "::127.0.0.1, loopback",
        "64:ff9b::7f00:1, loopback",
        "64:ff9b::a9fe:a9fe, link-local",
        "2002:7f00:1::1, loopback",
        "2001:db8::1, documentation",
        "2001:0:4136:e378::1, IETF protocol assignment"
    })
    void shouldRefuseAddressesThatAreNotGlobal(String literal, String kind) throws Exception {
        assertThat(defaults.refusal(InetAddress.getByName(literal)))
                .hasValueSatisfying(why -> assertThat(why).contains(kind));
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "64:ff9b::808:808"})
    void shouldLetGlobalAddressesThrough(String literal) throws Exception {
        assertThat(defaults.refusal(InetAddress.getByName(literal))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::ffff:127.0.0.1", "64:ff9b::7f00:1"})
    void shouldLetAnAllowedNetworkThroughInEveryForm(String literal) throws Exception {
        AddressGuard loopback = new AddressGuard(List.of(NetworkRange.parse("127.0.0.0/8")));

        assertThat(loopback.refusal(InetAddress.getByName(literal))).isEmpty();
        assertThat(loopback.refusal(InetAddress.getByName("10.0.0.1"))).isPresent();
    }

    @Test
    void shouldUnwrapAMappedAddressTheJdkKeptAsIpv6() throws Exception {
        byte[] mapped = InetAddress.getByName("::ffff:127.0.0.1").getAddress();
        byte[] ipv6 = new byte[16];
        ipv6[10] = (byte) 0xFF;
        ipv6[11] = (byte) 0xFF;
        System.arraycopy(mapped, 0, ipv6, 12, 4);

        assertThat(defaults.refusal(Inet6Address.getByAddress(null, ipv6, -1)))
                .hasValueSatisfying(why -> assertThat(why).contains("loopback"));
    }
}
