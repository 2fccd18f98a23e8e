package io.imgstream.images.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpImageFetcherTest {

    private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3, 4};
    private static final int MAX_BYTES = 64;
    private static final List<NetworkRange> LOOPBACK =
            List.of(NetworkRange.parse("127.0.0.0/8"), NetworkRange.parse("::1"));

    private final AtomicInteger served = new AtomicInteger();
    private HttpServer server;
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/cat.png", exchange -> {
            served.incrementAndGet();
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
        server.createContext("/other-loopback", exchange -> {
            exchange.getResponseHeaders()
                    .add("Location", "http://127.0.0.2:" + server.getAddress().getPort() + "/cat.png");
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
        server.createContext("/unavailable", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    /** The test server is on loopback, which only an allowed network lets through. */
    private HttpImageFetcher fetcher(String... hosts) {
        return fetcher(LOOPBACK, hosts);
    }

    private HttpImageFetcher fetcher(List<NetworkRange> networks, String... hosts) {
        return new HttpImageFetcher(
                List.of(hosts), List.of(server.getAddress().getPort()), networks, Duration.ofMillis(500), MAX_BYTES);
    }

    @Test
    void shouldRefuseAPortOutsideTheAllowList() {
        HttpImageFetcher webPortsOnly = new HttpImageFetcher(
                List.of("127.0.0.1"), List.of(80, 443), LOOPBACK, Duration.ofMillis(500), MAX_BYTES);

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
        // The cloud metadata address: refused before any connection is tried (on an allowed port, so that is not
        // what refuses it).
        URI metadata =
                URI.create("http://169.254.169.254:" + server.getAddress().getPort() + "/latest/meta-data");
        assertThatThrownBy(() -> fetcher("169.254.169.254").fetch("meta", metadata))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED))
                .hasMessageContaining("link-local");
    }

    @Test
    void shouldRefuseAnAllowedNameThatResolvesToLoopbackUnlessItsNetworkIsAllowed() throws Exception {
        URI viaName = URI.create("http://localhost:" + server.getAddress().getPort() + "/cat.png");

        assertThatThrownBy(() -> fetcher(List.of(), "localhost").fetch("cat", viaName))
                .isInstanceOfSatisfying(FetchException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED);
                    assertThat(e.stage()).isEqualTo(DeadLetterStage.VALIDATE);
                })
                .hasMessageContaining("host 'localhost' resolves to")
                .hasMessageContaining("loopback")
                .hasMessageContaining("fetch.allowed.networks");
        assertThat(served.get()).isZero();
        assertThat(fetcher(LOOPBACK, "localhost").fetch("cat", viaName)).isEqualTo(IMAGE);
    }

    @Test
    void shouldRefuseLoopbackWrittenAsAnIpv4MappedIpv6Address() {
        URI mapped =
                URI.create("http://[::ffff:127.0.0.1]:" + server.getAddress().getPort() + "/cat.png");

        assertThatThrownBy(() -> fetcher(List.of(), "[::ffff:127.0.0.1]").fetch("cat", mapped))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED))
                .hasMessageContaining("loopback");
        assertThat(served.get()).isZero();
    }

    @Test
    void shouldCheckTheNetworkOfEveryRedirectHop() {
        // Both hosts are allowed; only the first one's network is.
        HttpImageFetcher oneAddress = fetcher(List.of(NetworkRange.parse("127.0.0.1/32")), "127.0.0.1", "127.0.0.2");

        assertThatThrownBy(() -> oneAddress.fetch("cat", URI.create(base + "/other-loopback")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.HOST_NOT_ALLOWED))
                .hasMessageContaining("host '127.0.0.2' resolves to 127.0.0.2, a loopback address");
        assertThat(served.get()).isZero();
    }

    @Test
    void shouldRefuseAnHttpsServerWhoseCertificateIsNotTrusted(@TempDir Path temp) throws Exception {
        // The client connects by name, with the JDK's trust store: a self-signed certificate is refused.
        Path keystore = temp.resolve("server.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
        assumeTrue(keytool.waitFor() == 0, "keytool could not make a certificate");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/cat.png", exchange -> {
            served.incrementAndGet();
            exchange.sendResponseHeaders(200, IMAGE.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(IMAGE);
            }
        });
        https.start();
        try {
            int port = https.getAddress().getPort();
            HttpImageFetcher fetcher =
                    new HttpImageFetcher(List.of("localhost"), List.of(port), LOOPBACK, Duration.ofSeconds(5), 64);

            assertThatThrownBy(() -> fetcher.fetch("cat", URI.create("https://localhost:" + port + "/cat.png")))
                    .isInstanceOfSatisfying(FetchException.class, e -> {
                        assertThat(e.reason()).isEqualTo(DeadLetterReason.FETCH_FAILED);
                        assertThat(e.retriable())
                                .as("a certificate does not get trusted by trying again")
                                .isFalse();
                    })
                    .hasRootCauseInstanceOf(CertPathBuilderException.class);
            assertThat(served.get()).isZero();
        } finally {
            https.stop(0);
        }
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
                .isInstanceOfSatisfying(FetchException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.FETCH_TIMEOUT);
                    assertThat(e.retriable()).isTrue();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void shouldCallAServerThatIsUnavailableOrAwayRetriableAndAMissingImageNot() throws IOException {
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("busy", URI.create(base + "/unavailable")))
                .isInstanceOfSatisfying(FetchException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.FETCH_FAILED);
                    assertThat(e.getMessage()).contains("HTTP 503");
                    assertThat(e.retriable()).isTrue();
                });
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        HttpImageFetcher refused =
                new HttpImageFetcher(List.of("127.0.0.1"), List.of(closed), LOOPBACK, Duration.ofSeconds(2), MAX_BYTES);
        assertThatThrownBy(() -> refused.fetch("away", URI.create("http://127.0.0.1:" + closed + "/cat.png")))
                .as("connection refused")
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.retriable()).isTrue());
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("gone", URI.create(base + "/nothing-here.png")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.retriable()).isFalse());
    }

    @Test
    void shouldReportAMissingImageAsNotFound() {
        assertThatThrownBy(() -> fetcher("127.0.0.1").fetch("gone", URI.create(base + "/nothing-here.png")))
                .isInstanceOfSatisfying(
                        FetchException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_FOUND));
    }
}
