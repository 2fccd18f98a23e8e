package io.imgstream.topology.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.images.fetch.HttpImageFetcher;
import io.imgstream.images.fetch.ImageFetcher;
import io.imgstream.images.fetch.NetworkRange;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.ImageRef;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FetchPoolTest {

    private static final int MAX_BYTES = 1 << 20;
    private static final ImageDecoder DECODER =
            new ImageDecoder(new ImageLimits(MAX_BYTES, 40_000_000, Duration.ofSeconds(10)));
    private static final ImageLoader INLINE_LOADER =
            new ImageLoader(new ImageFetcher(Set.of("inline"), List.of(), MAX_BYTES), DECODER);

    @Test
    void shouldQueueRatherThanRunAFetchOnTheSubmittingThreadWhenEveryWorkerIsBusy() throws Exception {
        byte[] image = png(8, 8);
        CountDownLatch serve = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/image.png", exchange -> {
            try {
                serve.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, image.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(image);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        // A fetch run by the caller would wait for the server, which answers only after every submit returned.
        ImageLoader slowServer = loopbackLoader(port);
        try (FetchPool pool = new FetchPool(slowServer, 1, 64L << 20, SourceRetries.none(), Optional::empty)) {
            List<FetchPool.Fetch> fetches = IntStream.range(0, 8)
                    .mapToObj(i -> pool.submit(task(ref("img-" + i, "http://127.0.0.1:" + port + "/image.png"))))
                    .toList();

            assertThat(fetches)
                    .as("fetches done when submit returned")
                    .noneMatch(f -> f.result().isDone());
            serve.countDown();
            for (FetchPool.Fetch fetch : fetches) {
                assertThat(fetch.result().get(30, TimeUnit.SECONDS)).isInstanceOf(FetchOutcome.Loaded.class);
            }
        } finally {
            server.stop(0);
            handlers.shutdownNow();
        }
    }

    @Test
    void shouldStartNoNewFetchWhileDecodedImagesHoldTheBudgetUnlessABatchWaitsForIt() throws Exception {
        try (FetchPool pool = new FetchPool(INLINE_LOADER, 1, 1, SourceRetries.none(), Optional::empty)) {
            FetchPool.Fetch first = pool.submit(task(inline("first", png(100, 100))));
            FetchPool.Fetch second = pool.submit(task(inline("second", png(100, 100))));
            FetchPool.Fetch third = pool.submit(task(inline("third", png(100, 100))));

            FetchOutcome.Loaded loaded = (FetchOutcome.Loaded) first.result().get(10, TimeUnit.SECONDS);
            assertThat(loaded.bytes()).as("3 bytes a pixel").isEqualTo(100 * 100 * 3);
            assertThat(pool.heldBytes()).isEqualTo(loaded.bytes());
            await().during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> !second.result().isDone() && !third.result().isDone());

            second.expedite();
            FetchOutcome.Loaded expedited =
                    (FetchOutcome.Loaded) second.result().get(10, TimeUnit.SECONDS);
            assertThat(pool.heldBytes()).isEqualTo(loaded.bytes() + expedited.bytes());
            assertThat(third.result()).as("still over budget").isNotDone();

            pool.release(loaded.bytes());
            pool.release(expedited.bytes());
            assertThat(third.result().get(10, TimeUnit.SECONDS)).isInstanceOf(FetchOutcome.Loaded.class);
            third.abandon();
            assertThat(pool.heldBytes())
                    .as("an abandoned image's pixels are released")
                    .isZero();
        }
    }

    @Test
    void shouldDecodeForTheTargetSizeItIsGiven() throws Exception {
        try (FetchPool pool = new FetchPool(
                INLINE_LOADER, 1, 64L << 20, SourceRetries.none(), () -> Optional.of(new TargetSize(100, 100)))) {
            FetchOutcome outcome =
                    pool.submit(task(inline("large", png(1000, 800)))).result().get(10, TimeUnit.SECONDS);

            BufferedImage pixels = ((FetchOutcome.Loaded) outcome).pixels();
            assertThat(pixels.getWidth()).isEqualTo(250);
            assertThat(pixels.getHeight()).isEqualTo(200);
            assertThat(((FetchOutcome.Loaded) outcome).bytes()).isEqualTo(250 * 200 * 3);
        }
    }

    @Test
    void shouldLetOtherImagesPassWhileAFailedSourceWaitsForItsRetry() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/down.png", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        ImageLoader httpAndInline = new ImageLoader(
                new ImageFetcher(
                        Set.of("http", "inline"),
                        List.of(),
                        MAX_BYTES,
                        new HttpImageFetcher(
                                List.of("127.0.0.1"),
                                List.of(port),
                                List.of(NetworkRange.parse("127.0.0.0/8")),
                                Duration.ofSeconds(2),
                                MAX_BYTES)),
                DECODER);
        // One thread, and a backoff far longer than the test: the image after the failed one can only be loaded if
        // the retry waits in the queue rather than on the thread.
        try (FetchPool pool = new FetchPool(
                httpAndInline, 1, 64L << 20, new SourceRetries(2, Duration.ofHours(1)), Optional::empty)) {
            FetchPool.Fetch down = pool.submit(task(ref("down", "http://127.0.0.1:" + port + "/down.png")));
            FetchPool.Fetch next = pool.submit(task(inline("next", png(4, 4))));

            assertThat(next.result().get(30, TimeUnit.SECONDS)).isInstanceOf(FetchOutcome.Loaded.class);
            assertThat(down.result()).as("waiting for its second attempt").isNotDone();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldRefuseAnImageWhoseSourceKeepsFailingOnceItsAttemptsAreSpent() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/down.png", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(502, -1);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        ImageLoader http = loopbackLoader(port);
        try (FetchPool pool =
                new FetchPool(http, 1, 64L << 20, new SourceRetries(4, Duration.ofMillis(1)), Optional::empty)) {
            FetchOutcome outcome = pool.submit(task(ref("down", "http://127.0.0.1:" + port + "/down.png")))
                    .result()
                    .get(30, TimeUnit.SECONDS);

            assertThat(outcome).isInstanceOfSatisfying(FetchOutcome.Refused.class, refused -> {
                assertThat(refused.failure().reason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
                assertThat(refused.failure().getMessage())
                        .contains("failed 4 times")
                        .contains("HTTP 502");
            });
            assertThat(requests).hasValue(4);
        } finally {
            server.stop(0);
        }
    }

    private static ImageTask task(ImageRef ref) {
        return new ImageTask(ref, new byte[0]);
    }

    private static ImageRef inline(String id, byte[] bytes) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri("inline:")
                .setInlineBytes(ByteBuffer.wrap(bytes))
                .setEventTime(Instant.EPOCH)
                .build();
    }

    private static ImageRef ref(String id, String uri) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri(uri)
                .setEventTime(Instant.EPOCH)
                .build();
    }

    private static byte[] png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads http images from the loopback server on {@code port} only. */
    private static ImageLoader loopbackLoader(int port) {
        return new ImageLoader(
                new ImageFetcher(
                        Set.of("http"),
                        List.of(),
                        MAX_BYTES,
                        new HttpImageFetcher(
                                List.of("127.0.0.1"),
                                List.of(port),
                                List.of(NetworkRange.parse("127.0.0.0/8")),
                                Duration.ofSeconds(2),
                                MAX_BYTES)),
                DECODER);
    }
}
