package io.imgstream.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A bundle is untrusted input: what is not a plain, bounded bundle file of DL4J's own entries is refused unread. */
class UntrustedBundleTest {

    private static final String ANY_SHA256 = "0".repeat(64);

    @TempDir
    Path temp;

    @Test
    @Timeout(10)
    void shouldRefuseADeviceInsteadOfHashingItForever() {
        assertThatThrownBy(() -> BundleFile.readVerified(Path.of("/dev/zero"), ANY_SHA256))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void shouldRefuseALinkEvenToAGoodBundle() throws IOException {
        Path real = Files.write(temp.resolve("real.zip"), TestBundles.bytes(TestBundles.bundle("pets", 1, 3)));
        Path link = Files.createSymbolicLink(temp.resolve("link.zip"), real);

        assertThat(BundleFile.readUnverified(real).manifest().modelName()).isEqualTo("pets");
        assertThatThrownBy(() -> BundleFile.readUnverified(link))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void shouldRefuseANetworkCarryingAnEntryDl4jWouldJavaDeserialize() throws IOException {
        byte[] hostile = withNetworkEntry(
                TestBundles.bytes(TestBundles.bundle("pets", 1, 3)),
                "preprocessor.bin",
                javaSerialized(new ArrayList<>(java.util.List.of("gadget"))));

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(hostile)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("'preprocessor.bin'")
                .hasMessageContaining("Java deserialization");
    }

    /** The bundle with one more entry in its network zip, as a tampered store would hold it. */
    private static byte[] withNetworkEntry(byte[] bundle, String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bundle));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                byte[] data = in.readAllBytes();
                zip.write(entry.getName().equals(ModelBundle.NETWORK_ENTRY) ? withEntry(data, name, content) : data);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] withEntry(byte[] network, String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(network));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(in.readAllBytes());
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    private static byte[] javaSerialized(Object object) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(object);
        }
        return out.toByteArray();
    }
}
