package io.imgstream.images.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A block of IP addresses in CIDR notation, such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a
 * block of one. IPv4 and IPv6 blocks never contain each other's addresses: an IPv6 form that embeds an IPv4
 * address is unwrapped by {@link AddressGuard} before it is matched.
 */
public final class NetworkRange {

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private NetworkRange(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Parses {@code address/prefix} or a bare address. Only IP literals are accepted, never host names, so parsing
     * does no DNS lookup.
     *
     * @throws IllegalArgumentException if {@code cidr} is not an IP literal with a prefix that fits it, or has host
     *                                  bits set (so that {@code 10.1.2.3/8} is not silently read as all of 10/8)
     */
    public static NetworkRange parse(String cidr) {
        String trimmed = cidr.trim();
        int slash = trimmed.indexOf('/');
        String literal = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] network = literalBytes(literal);
        int bits = network.length * Byte.SIZE;
        int prefixLength = bits;
        if (slash >= 0) {
            try {
                prefixLength = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "' has no numeric prefix length after '/'", e);
            }
        }
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0 to " + bits);
        }
        NetworkRange range = new NetworkRange(network, prefixLength, literal + "/" + prefixLength);
        if (!range.matches(network, true)) {
            throw new IllegalArgumentException("'" + cidr + "' has bits set past its /" + prefixLength + " prefix");
        }
        return range;
    }

    private static byte[] literalBytes(String literal) {
        boolean ipv4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = literal.indexOf(':') >= 0 && literal.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("'" + literal + "' is not an IPv4 or IPv6 address");
        }
        try {
            // A literal is parsed, not looked up; IPv4-mapped IPv6 literals come back as IPv4.
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IPv4 or IPv6 address", e);
        }
    }

    /** Whether {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        return matches(address.getAddress(), false);
    }

    /**
     * Compares the prefix; with {@code hostBitsClear} it instead checks that {@code address} has no bit set past it.
     */
    private boolean matches(byte[] address, boolean hostBitsClear) {
        if (address.length != network.length) {
            return false;
        }
        for (int i = 0; i < network.length; i++) {
            int maskBits = Math.max(0, Math.min(Byte.SIZE, prefixLength - i * Byte.SIZE));
            int mask = (0xFF << (Byte.SIZE - maskBits)) & 0xFF;
            boolean ok = hostBitsClear ? (address[i] & ~mask & 0xFF) == 0 : ((address[i] ^ network[i]) & mask) == 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NetworkRange range
                && prefixLength == range.prefixLength
                && Arrays.equals(network, range.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** The block as {@code address/prefix}. */
    @Override
    public String toString() {
        return text;
    }
}
