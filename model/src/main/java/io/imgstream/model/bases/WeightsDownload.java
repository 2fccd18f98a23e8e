package io.imgstream.model.bases;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Downloads one weights file to a path, so that the path holds either nothing or the whole, verified file.
 *
 * <p>Bytes go to {@code <target>.part} first. A download cut short leaves the part file, and the next attempt asks
 * the server for the rest ({@code Range}); a server that answers with the whole file instead restarts it cleanly.
 * Only when every byte is there and the md5 (where one is expected) matches is the part file renamed onto the
 * target in one atomic move; a file with the wrong checksum is deleted, never resumed. Sizes are bounded by {@link
 * #MAX_BYTES} whatever the server claims, connecting and each read by timeouts.
 *
 * <p>{@code http}, {@code https} and {@code file} URLs are read ({@code file:} for a mirror on a mounted disk).
 * Thread-safe for different targets; two downloads to the same target must not run at once.
 */
public final class WeightsDownload {

    /** Largest file downloaded: every Keras application's weights are below 100 MB. */
    public static final long MAX_BYTES = 1L << 30;

    /** Default bound of connecting and of each read. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Set<String> SCHEMES = Set.of("http", "https", "file");
    private static final int HTTP_OK = 200;
    private static final int HTTP_PARTIAL = 206;
    private static final int HTTP_RANGE_NOT_SATISFIABLE = 416;
    private static final int BUFFER_BYTES = 1 << 16;
    private static final String PART_SUFFIX = ".part";

    private final Duration timeout;

    /** @param timeout bound of connecting and of each read; positive */
    public WeightsDownload(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** Follows a download as it goes, e.g. with a progress bar. Called on the downloading thread. */
    public interface Listener {

        /**
         * @param totalBytes the file's size, or -1 if the server does not say
         * @param resumedAt  bytes already there from an earlier attempt
         */
        void started(long totalBytes, long resumedAt);

        /** @param bytesSoFar bytes of the file there now */
        void advanced(long bytesSoFar);

        /** A listener that ignores everything. */
        Listener NONE = new Listener() {
            @Override
            public void started(long totalBytes, long resumedAt) {}

            @Override
            public void advanced(long bytesSoFar) {}
        };
    }

    /**
     * A finished download.
     *
     * @param file    the target, holding the whole file
     * @param bytes   its size
     * @param sha256  its sha256, lowercase hex
     * @param md5     its md5, lowercase hex
     * @param resumed whether an earlier attempt's bytes were kept
     */
    public record Result(Path file, long bytes, String sha256, String md5, boolean resumed) {}

    /**
     * Downloads {@code url} to {@code target}, resuming an earlier attempt's part file.
     *
     * @param expectedMd5 the md5 the file must have, lowercase hex; empty to accept any content
     * @throws DownloadException if the server is unreachable or refuses, the transfer is cut short or too large, or
     *                           the checksum differs; the target is then untouched
     */
    public Result fetch(URI url, Path target, Optional<String> expectedMd5, Listener listener)
            throws DownloadException {
        String scheme = String.valueOf(url.getScheme()).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new DownloadException(url + ": only http, https and file URLs are downloaded", false, null);
        }
        Path part = target.resolveSibling(target.getFileName() + PART_SUFFIX);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            boolean resumed = transfer(url, part, listener, true);
            FileDigests digests = FileDigests.of(part);
            if (expectedMd5.isPresent() && !expectedMd5.get().equalsIgnoreCase(digests.md5())) {
                Files.deleteIfExists(part);
                throw new DownloadException(
                        url + " is not the expected file: md5 " + digests.md5() + ", expected " + expectedMd5.get()
                                + " (deleted; a mirror must serve the same bytes as the original)",
                        false,
                        null);
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Result(target, digests.bytes(), digests.sha256(), digests.md5(), resumed);
        } catch (UnknownHostException | ConnectException | NoRouteToHostException e) {
            throw new DownloadException("could not reach " + url + " (" + e + ")", true, e);
        } catch (IOException e) {
            throw new DownloadException("downloading " + url + " failed: " + e.getMessage(), false, e);
        }
    }

    // Returns whether earlier bytes were kept; restarts once when the server can't serve the rest.
    private boolean transfer(URI url, Path part, Listener listener, boolean mayRestart)
            throws IOException, DownloadException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        URLConnection connection = url.toURL().openConnection();
        connection.setConnectTimeout(Math.toIntExact(timeout.toMillis()));
        connection.setReadTimeout(Math.toIntExact(timeout.toMillis()));
        boolean append = false;
        if (connection instanceof HttpURLConnection http) {
            if (have > 0) {
                http.setRequestProperty("Range", "bytes=" + have + "-");
            }
            int status = http.getResponseCode();
            if (status == HTTP_RANGE_NOT_SATISFIABLE && mayRestart) {
                http.disconnect();
                Files.deleteIfExists(part);
                return transfer(url, part, listener, false);
            }
            if (status == HTTP_PARTIAL) {
                String range = String.valueOf(http.getHeaderField("Content-Range"));
                append = range.startsWith("bytes " + have + "-");
                if (!append) {
                    http.disconnect();
                    throw new DownloadException(
                            url + " answered the range request for bytes " + have + "- with " + range, false, null);
                }
            } else if (status != HTTP_OK) {
                http.disconnect();
                throw new DownloadException(url + " answered HTTP " + status, false, null);
            }
        }
        long start = append ? have : 0;
        long length = connection.getContentLengthLong();
        long total = length < 0 ? -1 : start + length;
        if (total > MAX_BYTES) {
            throw new DownloadException(
                    url + " is " + total + " bytes, more than the " + MAX_BYTES + " a weights file may be",
                    false,
                    null);
        }
        listener.started(total, start);
        long written = start;
        try (InputStream in = connection.getInputStream();
                OutputStream out =
                        append ? Files.newOutputStream(part, StandardOpenOption.APPEND) : Files.newOutputStream(part)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            int read;
            while ((read = in.read(buffer)) > 0) {
                written += read;
                if (written > MAX_BYTES) {
                    out.close();
                    Files.deleteIfExists(part);
                    throw new DownloadException(
                            url + " sent more than the " + MAX_BYTES + " bytes a weights file may be", false, null);
                }
                out.write(buffer, 0, read);
                listener.advanced(written);
            }
        }
        if (total >= 0 && written < total) {
            throw new IOException("the connection ended after " + written + " of " + total + " bytes; run the "
                    + "same command again to download the rest");
        }
        return append;
    }
}
