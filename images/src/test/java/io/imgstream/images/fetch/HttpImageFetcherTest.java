package io.imgstream.images.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.imgstream.schemas.avro.DeadLetterReason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpImageFetcherTest {

    private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4};
    private static final int MAX_BYTES = 64;

    private HttpServer server;
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/cat.png", exchange -> {
            exchange.sendResponseHeaders(200, IMAGE.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(IMAGE);
            }
        });
        server.createContext("/same-host", exchange -> {
            exchange.getResponseHeaders().add("Location", "/cat.png");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/elsewhere", exchange -> {
            exchange.getResponseHeaders()
                    .add("Location", "http://localhost:" + server.getAddress().getPort() + "/cat.png");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length to trust
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(new byte[MAX_BYTES * 4]);
            }
        });
        server.createContext("/trickle", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(IMAGE, 0, 2);
                body.flush();
                Thread.sleep(3_000);
            } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private HttpImageFetcher fetcher(String... hosts) {
        return new HttpImageFetcher(
                List.of(hosts), List.of(server.getAddress().getPort()), Duration.ofMillis(500), MAX_BYTES);
    }

    @Test
    void shouldRefuseAPortOutsideTheAllowList() {
        HttpImageFetcher webPortsOnly =
                new HttpImageFetcher(List.of("127.0.0.1"), List.of(80, 443), Duration.ofMillis(500), MAX_BYTES);

        FetchException e = catchThrowableOfType(
                FetchException.class, () -> webPortsOnly.fetch("cat", URI.create(base + "/cat.png")));

        assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED);
        assertThat(e.getMessage()).contains("port " + server.getAddress().getPort(), "fetch.allowed.ports");
    }

    @Test
    void shouldRefuseARedirectFromHttpsToHttpAndOneToANonUri() {
        FetchException downgrade = catchThrowableOfType(
                FetchException.class,
                () -> HttpImageFetcher.redirectTarget(
                        "cat", URI.create("https://images.example.com/cat.png"), "http://images.example.com/cat.png"));
        FetchException notAUri = catchThrowableOfType(
                FetchException.class,
                () -> HttpImageFetcher.redirectTarget(
                        "cat", URI.create("http://images.example.com/cat.png"), "http://a b/"));

        assertThat(downgrade.reason()).isEqualTo(DeadLetterReason.SCHEME_NOT_ALLOWED);
        assertThat(notAUri.reason()).isEqualTo(DeadLetterReason.INVALID_URI);
    }

    @Test
    void shouldFetchFromAnAllowedHostAndFollowARedirectThere() throws Exception {
        assertThat(fetcher("127.0.0.1").fetch("cat", URI.create(base + "/cat.png")))
                .isEqualTo(IMAGE);
        assertThat(fetcher("127.0.0.1").fetch("cat", URI.create(base + "/same-host")))
                .isEqualTo(IMAGE);
    }

    @Test
    void shouldRefuseHostsOutsideTheAllowListIncludingRedirectTargets() {
        assertThatThrownBy(() -> fetcher("images.example.com").fetch("cat", URI.create(base + "/cat.png")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED))
                .hasMessageContaining("host '127.0.0.1' is not in fetch.allowed.hosts");
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("cat", URI.create(base + "/elsewhere")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED))
                .hasMessageContaining("host 'localhost'");
    }

    @Test
    void shouldRefuseLinkLocalAddressesEvenWhenAllowListed() {
        // The cloud metadata address: refused before any connection is tried.
        assertThatThrownBy(() ->
                        fetcher("169.254.169.254").fetch("meta", URI.create("http://169.254.169.254/latest/meta-data")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED))
                .hasMessageContaining("link-local");
    }

    @Test
    void shouldMatchSubdomainsOfAWildcardOnly() {
        assertThatThrownBy(() -> fetcher("*.example.com").fetch("x", URI.create("http://example.com.evil.test/a.png")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED));
        assertThatThrownBy(() -> fetcher("*.example.com").fetch("x", URI.create("http://user@cdn.example.com/a.png")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_URI));
    }

    @Test
    void shouldCapTheBodyWhateverTheServerSends() {
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("huge", URI.create(base + "/huge")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.TOO_LARGE));
    }

    @Test
    void shouldTimeOutAServerThatTricklesItsBody() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("slow", URI.create(base + "/trickle")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.FETCH_TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void shouldReportAMissingImageAsNotFound() {
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("gone", URI.create(base + "/nothing-here.png")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_FOUND));
    }
}
