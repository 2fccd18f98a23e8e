package io.imgstream.images.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which resolved addresses an image may be fetched from: globally routable ones only, unless an operator
 * allowed the network. An allowed host name proves nothing about where it points, so without this DNS (or a
 * redirect) could aim a fetch at the scorer's own loopback services, the private network or a cloud metadata
 * service.
 *
 * <p>IPv6 addresses that carry an IPv4 address (IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible {@code ::/96},
 * NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16}) are judged by the IPv4 address they lead to.
 *
 * <p>Immutable and thread-safe.
 */
final class AddressGuard {

    /** IPv4 blocks that are not globally routable (IANA special-purpose registry), with what they are. */
    private static final Map<NetworkRange, String> NON_GLOBAL_IPV4 = Map.ofEntries(
            entry("0.0.0.0/8", "'this network'"),
            entry("10.0.0.0/8", "private"),
            entry("100.64.0.0/10", "shared (carrier-grade NAT)"),
            entry("127.0.0.0/8", "loopback"),
            entry("169.254.0.0/16", "link-local (such as a cloud metadata service)"),
            entry("172.16.0.0/12", "private"),
            entry("192.0.0.0/24", "IETF protocol assignment"),
            entry("192.0.2.0/24", "documentation"),
            entry("192.88.99.0/24", "6to4 relay anycast"),
            entry("192.168.0.0/16", "private"),
            entry("198.18.0.0/15", "benchmarking"),
            entry("198.51.100.0/24", "documentation"),
            entry("203.0.113.0/24", "documentation"),
            entry("224.0.0.0/4", "multicast"),
            entry("240.0.0.0/4", "reserved or broadcast"));

    /** The only IPv6 block with global unicast addresses; everything else (loopback, ULA, link-local...) is not. */
    private static final NetworkRange GLOBAL_UNICAST_IPV6 = NetworkRange.parse("2000::/3");

    /** Blocks inside {@link #GLOBAL_UNICAST_IPV6} that are still not globally routable. */
    private static final Map<NetworkRange, String> NON_GLOBAL_IPV6 = Map.ofEntries(
            entry("2001::/23", "IETF protocol assignment (such as Teredo)"),
            entry("2001:db8::/32", "documentation"),
            entry("3fff::/20", "documentation"));

    private static final NetworkRange IPV4_COMPATIBLE = NetworkRange.parse("::/96");
    private static final NetworkRange NAT64 = NetworkRange.parse("64:ff9b::/96");
    private static final NetworkRange SIX_TO_FOUR = NetworkRange.parse("2002::/16");
    private static final int IPV4_BYTES = 4;
    private static final int IPV6_BYTES = 16;
    private static final int SIX_TO_FOUR_OFFSET = 2;

    private final List<NetworkRange> allowedNetworks;

    /** @param allowedNetworks networks fetched from even though they are not global, such as an internal server's */
    AddressGuard(List<NetworkRange> allowedNetworks) {
        this.allowedNetworks = List.copyOf(allowedNetworks);
    }

    /**
     * Why {@code address} may not be fetched from, or empty if it may.
     *
     * @return a phrase such as "a loopback address" that completes "resolves to 127.0.0.1, ..."
     */
    Optional<String> refusal(InetAddress address) {
        InetAddress target = embeddedIpv4(address).orElse(address);
        if (allowed(address) || allowed(target)) {
            return Optional.empty();
        }
        if (target.getAddress().length == IPV4_BYTES) {
            return kind(NON_GLOBAL_IPV4, target);
        }
        if (!GLOBAL_UNICAST_IPV6.contains(target)) {
            return Optional.of("a non-global IPv6 address (loopback, unspecified, unique-local, link-local, "
                    + "multicast or reserved)");
        }
        return kind(NON_GLOBAL_IPV6, target);
    }

    private boolean allowed(InetAddress address) {
        return allowedNetworks.stream().anyMatch(network -> network.contains(address));
    }

    private static Optional<String> kind(Map<NetworkRange, String> ranges, InetAddress address) {
        return ranges.entrySet().stream()
                .filter(range -> range.getKey().contains(address))
                .map(range -> "a " + range.getValue() + " address")
                .findFirst();
    }

    /** The IPv4 address an IPv6 address carries by one of the standard embeddings, if it does. */
    static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != IPV6_BYTES) {
            return Optional.empty();
        }
        int offset;
        if (isMapped(bytes) || isCompatible(address) || NAT64.contains(address)) {
            offset = IPV6_BYTES - IPV4_BYTES;
        } else if (SIX_TO_FOUR.contains(address)) {
            offset = SIX_TO_FOUR_OFFSET;
        } else {
            return Optional.empty();
        }
        byte[] ipv4 = new byte[IPV4_BYTES];
        System.arraycopy(bytes, offset, ipv4, 0, IPV4_BYTES);
        try {
            return Optional.of(InetAddress.getByAddress(ipv4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    /**
     * {@code ::ffff:a.b.c.d}. The JDK turns such addresses into IPv4 ones when it builds them, so this is a guard
     * for addresses built some other way.
     */
    private static boolean isMapped(byte[] bytes) {
        int marker = IPV6_BYTES - IPV4_BYTES - 2;
        for (int i = 0; i < marker; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[marker] == (byte) 0xFF && bytes[marker + 1] == (byte) 0xFF;
    }

    /** {@code ::a.b.c.d}, but not {@code ::} and {@code ::1}, which are IPv6's own unspecified and loopback. */
    private static boolean isCompatible(InetAddress address) {
        return IPV4_COMPATIBLE.contains(address) && !address.isAnyLocalAddress() && !address.isLoopbackAddress();
    }

    private static Map.Entry<NetworkRange, String> entry(String cidr, String kind) {
        return Map.entry(NetworkRange.parse(cidr), kind);
    }
}
