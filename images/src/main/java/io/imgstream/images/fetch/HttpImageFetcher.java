package io.imgstream.images.fetch;

import io.imgstream.images.fetch.GuardedDnsResolver.RefusedAddressException;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches images over {@code http://} and {@code https://} from allow-listed hosts only. An image reference is
 * untrusted input, so:
 * <ul>
 *   <li>the host must match {@code fetch.allowed.hosts} (exact names, or {@code *.example.com} for subdomains);</li>
 *   <li>every address the host resolves to must be globally routable: loopback, private, shared (CGNAT),
 *   link-local (169.254.0.0/16, where cloud metadata services live), unique-local, wildcard, multicast and
 *   reserved addresses, and IPv6 forms that embed them, are refused even for an allowed host unless
 *   {@code fetch.allowed.networks} contains them (see {@link AddressGuard});</li>
 *   <li>that check runs in the client's own resolver, on the addresses it then connects to, so a host name can't
 *   resolve to a good address for the check and a refused one for the connection;</li>
 *   <li>https certificates and host names are verified as usual: the client connects by name, not to an IP
 *   literal;</li>
 *   <li>redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each hop checked like the first;</li>
 *   <li>connecting, the response headers and the body are each bounded by the timeout, and at most
 *   {@code maxBytes} are read, whatever {@code Content-Length} claims.</li>
 * </ul>
 *
 * <p>Thread-safe: one pooled client is shared by the fetch pool's workers.
 */
public final class HttpImageFetcher {

    /** Redirect hops followed at most. */
    public static final int MAX_REDIRECTS = 3;

    private static final int HTTP_OK = 200;
    private static final int HTTP_PORT = 80;
    private static final int HTTPS_PORT = 443;
    private static final int HTTP_NOT_FOUND = 404;
    private static final int HTTP_GONE = 410;
    private static final int HTTP_TOO_MANY_REQUESTS = 429;
    /** Pooled connections: the fetch pool's threads bound how many are used, this only keeps the pool from doing so. */
    private static final int MAX_CONNECTIONS = 1024;
    /** An idle pooled connection older than this is checked before reuse, so a server's close is no failed fetch. */
    private static final TimeValue VALIDATE_AFTER_IDLE = TimeValue.ofSeconds(1);

    /** Aborts exchanges whose deadline passed; one daemon thread for every fetcher. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "imgstream-http-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private final List<String> allowedHosts;
    private final List<Integer> allowedPorts;
    private final Duration timeout;
    private final int maxBytes;
    private final CloseableHttpClient client;

    /**
     * @param allowedHosts    host names that may be fetched from, lower case; {@code *.domain} allows its subdomains
     * @param allowedPorts    ports that may be fetched from; a URI without a port uses its scheme's default
     * @param allowedNetworks non-global networks that may still be fetched from, such as an internal image server's
     * @param timeout         bound of connecting, of receiving the response headers and of receiving the body
     * @param maxBytes        largest image, in bytes
     */
    public HttpImageFetcher(
            List<String> allowedHosts,
            List<Integer> allowedPorts,
            List<NetworkRange> allowedNetworks,
            Duration timeout,
            int maxBytes) {
        this.allowedHosts =
                allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.allowedPorts = List.copyOf(allowedPorts);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
        Timeout bound = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new GuardedDnsResolver(new AddressGuard(allowedNetworks)))
                        .setTlsSocketStrategy(DefaultClientTlsStrategy.createSystemDefault())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(bound)
                                .setSocketTimeout(bound)
                                .setValidateAfterInactivity(VALIDATE_AFTER_IDLE)
                                .build())
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(bound)
                        .setResponseTimeout(bound)
                        .build())
                // Each hop is checked by hand; the body is capped as sent, not after decompression; a retry (with a
                // server-chosen Retry-After) could outlast the deadline.
                .disableRedirectHandling()
                .disableContentCompression()
                .disableAutomaticRetries()
                .disableCookieManagement()
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
            HttpGet request = new HttpGet(current);
            Deadline headers = new Deadline(request, timeout);
            ClassicHttpResponse response = send(id, current, request, headers);
            boolean readToEnd = false;
            try {
                headers.cancel();
                int status = response.getCode();
                if (status / 100 == 3) {
                    Header location = response.getFirstHeader("Location");
                    if (location == null) {
                        throw new FetchException(
                                DeadLetterStage.FETCH,
                                DeadLetterReason.FETCH_FAILED,
                                "image " + id + ": " + current + " answered " + status + " without a Location header");
                    }
                    current = redirectTarget(id, current, location.getValue());
                    continue;
                }
                if (status / 100 == 5 || status == HTTP_TOO_MANY_REQUESTS) {
                    throw FetchException.sourceFailed(
                            DeadLetterReason.FETCH_FAILED,
                            "image " + id + ": " + current + " answered HTTP " + status + "; check the server",
                            null);
                }
                if (status != HTTP_OK) {
                    DeadLetterReason reason = status == HTTP_NOT_FOUND || status == HTTP_GONE
                            ? DeadLetterReason.NOT_FOUND
                            : DeadLetterReason.FETCH_FAILED;
                    throw new FetchException(
                            DeadLetterStage.FETCH,
                            reason,
                            "image " + id + ": " + current + " answered HTTP " + status
                                    + "; check the URI and the server");
                }
                byte[] image = body(id, current, request, response);
                readToEnd = true;
                return image;
            } finally {
                // A body not read to its end is not drained for the connection's reuse: that would read as much as
                // the server sends, for as long as it likes. Aborting drops the connection instead.
                if (!readToEnd) {
                    request.cancel();
                }
                closeQuietly(response);
            }
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

    private ClassicHttpResponse send(String id, URI uri, HttpGet request, Deadline deadline) throws FetchException {
        try {
            return client.executeOpen(null, request, null);
        } catch (RefusedAddressException e) {
            deadline.cancel();
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.HOST_NOT_ALLOWED,
                    "image " + id + ": " + e.getMessage() + "; refused whatever fetch.allowed.hosts says, unless "
                            + "fetch.allowed.networks contains it",
                    e);
        } catch (UnknownHostException e) {
            deadline.cancel();
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.NOT_FOUND,
                    "image " + id + ": host '" + uri.getHost() + "' does not resolve",
                    e);
        } catch (SSLException | IllegalArgumentException e) {
            // A certificate or protocol the client does not accept, or a port past 65535 (which URI syntax allows
            // and a socket address does not): trying again would meet the same one.
            deadline.cancel();
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_FAILED,
                    "image " + id + ": fetching " + uri + " failed: " + e,
                    e);
        } catch (IOException e) {
            deadline.cancel();
            if (deadline.expired() || e instanceof InterruptedIOException) {
                throw FetchException.sourceFailed(
                        DeadLetterReason.FETCH_TIMEOUT,
                        "image " + id + ": " + uri + " did not answer within fetch.http.timeout.ms="
                                + timeout.toMillis(),
                        e);
            }
            // Refused, reset, unreachable: the server may be restarting.
            throw FetchException.sourceFailed(
                    DeadLetterReason.FETCH_FAILED, "image " + id + ": fetching " + uri + " failed: " + e, e);
        }
    }

    private byte[] body(String id, URI uri, HttpGet request, ClassicHttpResponse response) throws FetchException {
        HttpEntity entity = response.getEntity();
        long declared = entity == null ? -1 : entity.getContentLength();
        if (declared > maxBytes) {
            throw tooLarge(id, uri, declared);
        }
        if (entity == null) {
            return new byte[0];
        }
        // The response timeout bounds each read only: a server trickling the body is cut off by aborting the
        // exchange at the deadline, which fails the blocked read.
        Deadline deadline = new Deadline(request, timeout);
        try (InputStream in = entity.getContent()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(id, uri, bytes.length);
            }
            return bytes;
        } catch (IOException e) {
            // A read timeout (no byte for the whole timeout) or the deadline (too few bytes in it).
            if (deadline.expired() || e instanceof InterruptedIOException) {
                throw FetchException.sourceFailed(
                        DeadLetterReason.FETCH_TIMEOUT,
                        "image " + id + ": " + uri + " did not send its body within fetch.http.timeout.ms="
                                + timeout.toMillis(),
                        e);
            }
            throw FetchException.sourceFailed(
                    DeadLetterReason.FETCH_FAILED, "image " + id + ": reading " + uri + " failed: " + e, e);
        } finally {
            deadline.cancel();
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

    private static void closeQuietly(ClassicHttpResponse response) {
        try {
            response.close();
        } catch (IOException ignored) {
            // The response is abandoned either way.
        }
    }

    /** Aborts an exchange when its time is up; {@link #expired()} tells a failure it caused from any other. */
    private static final class Deadline {

        private final AtomicBoolean expired = new AtomicBoolean();
        private final ScheduledFuture<?> abort;

        Deadline(HttpGet request, Duration timeout) {
            // The flag is set before the abort so the failed read sees it.
            this.abort = WATCHDOG.schedule(
                    () -> {
                        expired.set(true);
                        request.cancel();
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        boolean expired() {
            return expired.get();
        }

        void cancel() {
            abort.cancel(false);
        }
    }
}
