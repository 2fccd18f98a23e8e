package io.imgstream.images;

import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.images.fetch.HttpImageFetcher;
import io.imgstream.images.fetch.ImageFetcher;
import io.imgstream.images.fetch.NetworkRange;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The {@code fetch.*} settings shared by every application that reads images from untrusted references (the
 * scorer, the training worker): the keys are defined once here and added to each application's
 * {@link ConfigDef}, so the same names mean the same limits everywhere.
 *
 * @param allowedSchemes schemes images may be fetched with
 * @param allowedRoots   directories {@code file:} images may come from
 * @param allowedHosts    hosts {@code http(s):} images may come from, lower case
 * @param allowedPorts    ports {@code http(s):} images may come from
 * @param allowedNetworks non-global networks {@code http(s):} images may still come from
 * @param httpTimeout    bound of each step of an HTTP fetch
 * @param maxBytes       largest encoded image, bytes
 * @param maxPixels      largest image, pixels
 * @param maxDecodeTime  longest one image may take to decode
 */
public record FetchSettings(
        List<String> allowedSchemes,
        List<Path> allowedRoots,
        List<String> allowedHosts,
        List<Integer> allowedPorts,
        List<NetworkRange> allowedNetworks,
        Duration httpTimeout,
        int maxBytes,
        long maxPixels,
        Duration maxDecodeTime) {

    public static final String ALLOWED_SCHEMES_CONFIG = "fetch.allowed.schemes";
    public static final List<String> DEFAULT_ALLOWED_SCHEMES = List.of("file", "inline");
    private static final String ALLOWED_SCHEMES_DOC = "URI schemes images may be fetched with (file, inline, "
            + "http, https). References with any other scheme are dead-lettered with SCHEME_NOT_ALLOWED.";

    public static final String ALLOWED_HOSTS_CONFIG = "fetch.allowed.hosts";
    private static final String ALLOWED_HOSTS_DOC = "Hosts http(s) images may be fetched from: exact names, or "
            + "*.example.com for its subdomains. Others are dead-lettered with HOST_NOT_ALLOWED, and so is an allowed "
            + "host that resolves to an address that is not globally routable (see fetch.allowed.networks). Required "
            + "when http or https is in fetch.allowed.schemes.";

    public static final String ALLOWED_PORTS_CONFIG = "fetch.allowed.ports";
    public static final List<String> DEFAULT_ALLOWED_PORTS = List.of("80", "443");
    private static final String ALLOWED_PORTS_DOC = "Ports http(s) images may be fetched from, also after a redirect; "
            + "a URI without a port means its scheme's default. Others are dead-lettered with HOST_NOT_ALLOWED.";

    public static final String ALLOWED_NETWORKS_CONFIG = "fetch.allowed.networks";
    private static final String ALLOWED_NETWORKS_DOC = "Networks (CIDR, such as 10.20.0.0/16 or fd00:1::/64) http(s) "
            + "images may come from although they are not globally routable, such as an internal image server's. "
            + "Whatever fetch.allowed.hosts says, a host is dead-lettered with HOST_NOT_ALLOWED if it resolves to a "
            + "loopback, private, shared (100.64.0.0/10), link-local (cloud metadata), unique-local, unspecified, "
            + "multicast, broadcast, reserved or documentation address, or to an IPv6 form embedding one "
            + "(::ffff:127.0.0.1, NAT64, 6to4), unless the address is in one of these networks. The address checked "
            + "is the one connected to.";

    public static final String HTTP_TIMEOUT_MS_CONFIG = "fetch.http.timeout.ms";
    public static final long DEFAULT_HTTP_TIMEOUT_MS = 10_000L;
    private static final String HTTP_TIMEOUT_MS_DOC = "Bound of connecting to an image server, of waiting for its "
            + "response headers, and of reading the body, each in milliseconds; past it the image is dead-lettered "
            + "with "
            + "FETCH_TIMEOUT.";

    public static final String ALLOWED_ROOTS_CONFIG = "fetch.allowed.roots";
    private static final String ALLOWED_ROOTS_DOC = "Directories under which file:// images may be read. A file "
            + "outside them (after resolving symbolic links and '..') is dead-lettered with PATH_NOT_ALLOWED; anything "
            + "but a regular file (a FIFO, a device) with UNREADABLE, unopened. Empty: no file is readable. The file "
            + "system root and /proc, /sys and /dev (or any directory under them) are refused.";

    public static final String MAX_BYTES_CONFIG = "fetch.max.bytes";
    public static final int DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
    private static final String MAX_BYTES_DOC = "Largest encoded image accepted, in bytes.";

    public static final String MAX_PIXELS_CONFIG = "fetch.max.pixels";
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    private static final String MAX_PIXELS_DOC = "Largest image accepted, in pixels (width x height as declared in "
            + "its header, checked before decoding so decompression bombs are refused cheaply).";

    public static final String DECODE_TIMEOUT_MS_CONFIG = "fetch.decode.timeout.ms";
    public static final long DEFAULT_DECODE_TIMEOUT_MS = ImageLimits.DEFAULT_MAX_DECODE_TIME.toMillis();
    private static final String DECODE_TIMEOUT_MS_DOC = "Longest one image may take to decode, in milliseconds. "
            + "The decoder checks it while it reads and writes rows, and stops; the image is dead-lettered with "
            + "FETCH_TIMEOUT at stage DECODE, so a file built to decode slowly can't hold a fetch thread.";

    public FetchSettings {
        allowedSchemes = List.copyOf(allowedSchemes);
        allowedRoots = List.copyOf(allowedRoots);
        allowedHosts =
                allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        allowedPorts = List.copyOf(allowedPorts);
        allowedNetworks = List.copyOf(allowedNetworks);
    }

    /**
     * Adds the {@code fetch.*} keys to a definition.
     *
     * @param def the application's definition
     * @return {@code def}
     */
    public static ConfigDef define(ConfigDef def) {
        return def.define(
                        ALLOWED_SCHEMES_CONFIG,
                        Type.LIST,
                        DEFAULT_ALLOWED_SCHEMES,
                        ConfigDef.ValidList.in(
                                true, ImageFetcher.FILE_SCHEME, ImageFetcher.INLINE_SCHEME, "http", "https"),
                        Importance.HIGH,
                        ALLOWED_SCHEMES_DOC)
                .define(
                        ALLOWED_HOSTS_CONFIG,
                        Type.LIST,
                        List.of(),
                        ConfigDef.ValidList.anyNonDuplicateValues(true, false),
                        Importance.HIGH,
                        ALLOWED_HOSTS_DOC)
                .define(
                        ALLOWED_PORTS_CONFIG,
                        Type.LIST,
                        DEFAULT_ALLOWED_PORTS,
                        new PortList(),
                        Importance.MEDIUM,
                        ALLOWED_PORTS_DOC)
                .define(
                        ALLOWED_NETWORKS_CONFIG,
                        Type.LIST,
                        List.of(),
                        new NetworkList(),
                        Importance.MEDIUM,
                        ALLOWED_NETWORKS_DOC)
                .define(
                        HTTP_TIMEOUT_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_HTTP_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        HTTP_TIMEOUT_MS_DOC)
                .define(ALLOWED_ROOTS_CONFIG, Type.LIST, List.of(), new RootList(), Importance.HIGH, ALLOWED_ROOTS_DOC)
                .define(
                        MAX_BYTES_CONFIG,
                        Type.INT,
                        DEFAULT_MAX_BYTES,
                        ConfigDef.Range.atLeast(1),
                        Importance.MEDIUM,
                        MAX_BYTES_DOC)
                .define(
                        MAX_PIXELS_CONFIG,
                        Type.LONG,
                        DEFAULT_MAX_PIXELS,
                        ConfigDef.Range.atLeast(1),
                        Importance.MEDIUM,
                        MAX_PIXELS_DOC)
                .define(
                        DECODE_TIMEOUT_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_DECODE_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        DECODE_TIMEOUT_MS_DOC);
    }

    /** Validates a list of port numbers; shown as "ports 1 to 65535" in the generated docs. */
    private static final class PortList implements ConfigDef.Validator {

        @Override
        public void ensureValid(String name, Object value) {
            for (Object port : (List<?>) value) {
                try {
                    int number = Integer.parseInt(port.toString().trim());
                    if (number >= 1 && number <= 65535) {
                        continue;
                    }
                } catch (NumberFormatException e) {
                    // Reported below with the value that is wrong.
                }
                throw new ConfigException(name, value, "'" + port + "' is not a port (1 to 65535)");
            }
        }

        @Override
        public String toString() {
            return "ports 1 to 65535";
        }
    }

    /** Validates a list of networks in CIDR notation; shown as "CIDR networks" in the generated docs. */
    private static final class NetworkList implements ConfigDef.Validator {

        @Override
        public void ensureValid(String name, Object value) {
            for (Object network : (List<?>) value) {
                try {
                    NetworkRange.parse(network.toString());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(
                            name, value, e.getMessage() + "; expected address/prefix such as 10.20.0.0/16");
                }
            }
        }

        @Override
        public String toString() {
            return "CIDR networks, such as 10.20.0.0/16";
        }
    }

    /**
     * Validates a list of file roots: none may hold the whole file system or the kernel's and devices' pseudo-files,
     * where reading an "image" could leak secrets (/proc/self/environ) or block forever (/dev/zero is capped, a
     * terminal is not).
     */
    private static final class RootList implements ConfigDef.Validator {

        private static final List<Path> FORBIDDEN_TREES = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

        @Override
        public void ensureValid(String name, Object value) {
            List<?> roots = (List<?>) value;
            if (roots.size() != new HashSet<>(roots).size()) {
                throw new ConfigException(name, value, "a root is listed twice");
            }
            for (Object root : roots) {
                String text = root.toString().trim();
                if (text.isEmpty()) {
                    throw new ConfigException(name, value, "a root is empty");
                }
                for (Path path : pathsOf(Path.of(text))) {
                    if (path.getParent() == null || FORBIDDEN_TREES.stream().anyMatch(path::startsWith)) {
                        throw new ConfigException(
                                name,
                                value,
                                "'" + root + "' (" + path + ") would expose the file system root or /proc, /sys or "
                                        + "/dev to image references; list the directories that hold images");
                    }
                }
            }
        }

        /** The root as written (absolute, normalised) and, when it exists, as the directory it really is. */
        private static List<Path> pathsOf(Path root) {
            Path absolute = root.toAbsolutePath().normalize();
            try {
                return List.of(absolute, absolute.toRealPath());
            } catch (IOException missing) {
                // A root that doesn't exist yet can't contain anything; its name is checked all the same.
                return List.of(absolute);
            }
        }

        @Override
        public String toString() {
            return "directories, not / nor under /proc, /sys or /dev";
        }
    }

    /**
     * Reads the keys {@link #define} added.
     *
     * @throws ConfigException if http(s) is allowed but no host is
     */
    public static FetchSettings from(AbstractConfig config) {
        FetchSettings settings = new FetchSettings(
                config.getList(ALLOWED_SCHEMES_CONFIG),
                config.getList(ALLOWED_ROOTS_CONFIG).stream().map(Path::of).toList(),
                config.getList(ALLOWED_HOSTS_CONFIG),
                config.getList(ALLOWED_PORTS_CONFIG).stream()
                        .map(Integer::valueOf)
                        .toList(),
                config.getList(ALLOWED_NETWORKS_CONFIG).stream()
                        .map(NetworkRange::parse)
                        .toList(),
                Duration.ofMillis(config.getLong(HTTP_TIMEOUT_MS_CONFIG)),
                config.getInt(MAX_BYTES_CONFIG),
                config.getLong(MAX_PIXELS_CONFIG),
                Duration.ofMillis(config.getLong(DECODE_TIMEOUT_MS_CONFIG)));
        if (settings.fetchesHttp() && settings.allowedHosts().isEmpty()) {
            throw new ConfigException(
                    ALLOWED_HOSTS_CONFIG,
                    "",
                    "required when " + ALLOWED_SCHEMES_CONFIG
                            + " allows http or https: list the hosts images may be fetched from");
        }
        return settings;
    }

    /** Whether http or https is an allowed scheme. */
    public boolean fetchesHttp() {
        return allowedSchemes.stream().anyMatch(ImageFetcher.HTTP_SCHEMES::contains);
    }

    /** A loader that fetches and decodes within these limits. */
    public ImageLoader loader() {
        ImageFetcher fetcher = new ImageFetcher(
                new HashSet<>(allowedSchemes),
                allowedRoots,
                maxBytes,
                fetchesHttp()
                        ? new HttpImageFetcher(allowedHosts, allowedPorts, allowedNetworks, httpTimeout, maxBytes)
                        : null);
        return new ImageLoader(fetcher, new ImageDecoder(new ImageLimits(maxBytes, maxPixels, maxDecodeTime)));
    }
}
