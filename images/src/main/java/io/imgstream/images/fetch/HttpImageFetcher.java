package io.imgstream.images.fetch;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fetches images over {@code http://} and {@code https://} from allow-listed hosts only. An image reference is
 * untrusted input, so:
 * <ul>
 *   <li>the host must match {@code fetch.allowed.hosts} (exact names, or {@code *.example.com} for subdomains);</li>
 *   <li>every address the host resolves to must be a normal unicast address: link-local (169.254.0.0/16, where
 *   cloud metadata services live, and fe80::/10), wildcard and multicast addresses are refused even for an
 *   allowed host, so DNS can't point an allowed name at them;</li>
 *   <li>redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each hop checked like the first;</li>
 *   <li>connecting and the whole response are bounded by the timeout, and at most {@code maxBytes} are read,
 *   whatever {@code Content-Length} claims.</li>
 * </ul>
 *
 * <p>Thread-safe: one {@link HttpClient} is shared by the fetch pool's workers.
 */
public final class HttpImageFetcher {

    /** Redirect hops followed at most. */
    public static final int MAX_REDIRECTS = 3;

    private static final int HTTP_OK = 200;
    private static final int HTTP_PORT = 80;
    private static final int HTTPS_PORT = 443;
    private static final int HTTP_NOT_FOUND = 404;
    private static final int HTTP_GONE = 410;

    /** Closes response bodies whose deadline passed; one daemon thread for every fetcher. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "imgstream-http-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private final List<String> allowedHosts;
    private final List<Integer> allowedPorts;
    private final Duration timeout;
    private final int maxBytes;
    private final HttpClient client;

    /**
     * @param allowedHosts host names that may be fetched from, lower case; {@code *.domain} allows its subdomains
     * @param allowedPorts ports that may be fetched from; a URI without a port uses its scheme's default
     * @param timeout      bound of connecting and of receiving the whole response
     * @param maxBytes     largest image, in bytes
     */
    public HttpImageFetcher(List<String> allowedHosts, List<Integer> allowedPorts, Duration timeout, int maxBytes) {
        this.allowedHosts =
                allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.allowedPorts = List.copyOf(allowedPorts);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * Fetches {@code uri} for image {@code id}.
     *
     * @throws FetchException if the host is not allowed or resolves to a refused address, the server does not
     *                        answer in time or answers with an error, or the body exceeds the cap
     */
    public byte[] fetch(String id, URI uri) throws FetchException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            requireAllowed(id, current);
            HttpResponse<InputStream> response = send(id, current);
            int status = response.statusCode();
            if (status / 100 == 3) {
                closeQuietly(response.body());
                String location = response.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new FetchException(
                            DeadLetterStage.FETCH,
                            DeadLetterReason.FETCH_FAILED,
                            "image " + id + ": " + current + " answered " + status + " without a Location header");
                }
                current = redirectTarget(id, current, location);
                continue;
            }
            if (status != HTTP_OK) {
                closeQuietly(response.body());
                DeadLetterReason reason = status == HTTP_NOT_FOUND || status == HTTP_GONE
                        ? DeadLetterReason.NOT_FOUND
                        : DeadLetterReason.FETCH_FAILED;
                throw new FetchException(
                        DeadLetterStage.FETCH,
                        reason,
                        "image " + id + ": " + current + " answered HTTP " + status + "; check the URI and the server");
            }
            return body(id, current, response);
        }
        throw new FetchException(
                DeadLetterStage.FETCH,
                DeadLetterReason.FETCH_FAILED,
                "image " + id + ": " + uri + " redirected more than " + MAX_REDIRECTS
                        + " times; publish the final URI");
    }

    /**
     * Where a redirect leads: the {@code Location} resolved against the URI that answered. A location that is not a
     * URI, or that would take an https fetch to plain http (so that anyone on the path could swap the image), is the
     * reference's fault.
     */
    static URI redirectTarget(String id, URI from, String location) throws FetchException {
        URI to;
        try {
            to = from.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.INVALID_URI,
                    "image " + id + ": " + from + " redirected to '" + location + "', which is not a URI",
                    e);
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(to.getScheme())) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.SCHEME_NOT_ALLOWED,
                    "image " + id + ": " + from + " redirected to " + to
                            + "; a redirect may not leave https, where the image could be swapped on the way");
        }
        return to;
    }

    private void requireAllowed(String id, URI uri) throws FetchException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.SCHEME_NOT_ALLOWED,
                    "image " + id + ": " + uri + " is not http(s); a redirect may not leave http(s)");
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (host.isEmpty() || uri.getRawUserInfo() != null) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.INVALID_URI,
                    "image " + id + ": '" + uri + "' needs a host and no user info; expected http(s)://host/path");
        }
        if (!hostAllowed(host)) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.HOST_NOT_ALLOWED,
                    "image " + id
                            + ": host '" + host + "' is not in fetch.allowed.hosts " + allowedHosts
                            + "; add it there if the scorer may fetch from it");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.NOT_FOUND,
                    "image " + id + ": host '" + host + "' does not resolve",
                    e);
        }
        for (InetAddress address : addresses) {
            if (address.isLinkLocalAddress() || address.isAnyLocalAddress() || address.isMulticastAddress()) {
                throw new FetchException(
                        DeadLetterStage.VALIDATE,
                        DeadLetterReason.HOST_NOT_ALLOWED,
                        "image " + id
                                + ": host '" + host + "' resolves to " + address.getHostAddress()
                                + ", a link-local, wildcard "
                                + "or multicast address (such as a cloud metadata service); refused whatever the "
                                + "allow-list");
            }
        }
        int port = uri.getPort() == -1 ? (scheme.equals("https") ? HTTPS_PORT : HTTP_PORT) : uri.getPort();
        if (!allowedPorts.contains(port)) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.HOST_NOT_ALLOWED,
                    "image " + id + ": port " + port + " of " + uri + " is not in fetch.allowed.ports " + allowedPorts
                            + "; add it there if the image server really listens on it");
        }
    }

    private boolean hostAllowed(String host) {
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    private HttpResponse<InputStream> send(String id, URI uri) throws FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_TIMEOUT,
                    "image " + id + ": " + uri + " did not answer within fetch.http.timeout.ms=" + timeout.toMillis(),
                    e);
        } catch (IOException e) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_FAILED,
                    "image " + id + ": fetching " + uri + " failed: " + e,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_FAILED,
                    "image " + id + ": interrupted while fetching " + uri,
                    e);
        }
    }

    private byte[] body(String id, URI uri, HttpResponse<InputStream> response) throws FetchException {
        OptionalLong declared = response.headers().firstValueAsLong("Content-Length");
        InputStream in = response.body();
        // The request timeout covers only the headers: a server trickling the body is cut off by closing the
        // stream at the deadline, which fails the blocked read.
        // The flag is set before the close so the failed read sees it: the future is not done until close returns.
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = WATCHDOG.schedule(
                () -> {
                    expired.set(true);
                    closeQuietly(in);
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        try (in) {
            if (declared.isPresent() && declared.getAsLong() > maxBytes) {
                throw tooLarge(id, uri, declared.getAsLong());
            }
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(id, uri, bytes.length);
            }
            return bytes;
        } catch (IOException e) {
            if (expired.get()) {
                throw new FetchException(
                        DeadLetterStage.FETCH,
                        DeadLetterReason.FETCH_TIMEOUT,
                        "image " + id + ": " + uri + " did not send its body within fetch.http.timeout.ms="
                                + timeout.toMillis(),
                        e);
            }
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_FAILED,
                    "image " + id + ": reading " + uri + " failed: " + e,
                    e);
        } finally {
            deadline.cancel(false);
        }
    }

    private FetchException tooLarge(String id, URI uri, long size) {
        return new FetchException(
                DeadLetterStage.FETCH,
                DeadLetterReason.TOO_LARGE,
                String.format(
                        Locale.ROOT,
                        "image %s: %s is at least %.1f MiB, over fetch.max.bytes=%d; raise fetch.max.bytes or resize "
                                + "upstream",
                        id,
                        uri,
                        size / 1048576.0,
                        maxBytes));
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // The response is abandoned either way.
        }
    }
}
