package io.imgstream.images.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The HTTP client's only resolver: the addresses it returns are the ones connected to, so checking them here (and
 * not in an earlier lookup of our own) leaves DNS no second answer to rebind the host to a refused address.
 */
final class GuardedDnsResolver implements DnsResolver {

    private final AddressGuard guard;

    GuardedDnsResolver(AddressGuard guard) {
        this.guard = guard;
    }

    /**
     * Every address of {@code host}, or a refusal if any of them may not be fetched from: picking the good ones would
     * let a host that lists both keep probing.
     *
     * @throws RefusedAddressException if an address is refused
     * @throws UnknownHostException    if {@code host} does not resolve
     */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        for (InetAddress address : addresses) {
            Optional<String> refusal = guard.refusal(address);
            if (refusal.isPresent()) {
                throw new RefusedAddressException(host, address, refusal.get());
            }
        }
        return addresses;
    }

    /** Only authentication schemes ask for it, and fetches never authenticate: no lookup, the name as given. */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }

    /**
     * A host that resolves to an address images may not come from. An {@link UnknownHostException} so the client
     * gives up on the host as if it did not resolve (no other address tried, no retry).
     */
    static final class RefusedAddressException extends UnknownHostException {

        private static final long serialVersionUID = 1L;

        RefusedAddressException(String host, InetAddress address, String kind) {
            super("host '" + host + "' resolves to " + address.getHostAddress() + ", " + kind);
        }
    }
}
