package io.imgstream.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemModelStoreTest {

    @TempDir
    Path root;

    @Test
    void shouldSaveAtomicallyUnderNameAndVersionWithTheFilesSha256() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root);

        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));

        Path file = root.resolve("pets/v1/bundle.zip");
        assertThat(Path.of(stored.uri())).isEqualTo(file);
        assertThat(stored.sha256()).isEqualTo(sha256(file));
        assertThat(stored.sizeBytes()).isEqualTo(Files.size(file));
        assertThat(stored.modelName()).isEqualTo("pets");
        assertThat(stored.version()).isEqualTo(1);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .as("no temporary file left")
                    .containsExactly("bundle.zip");
        }
    }

    @Test
    void shouldLoadAVerifiedBundleThatPredictsLikeTheOriginal() {
        FileSystemModelStore store = new FileSystemModelStore(root);
        ModelBundle original = TestBundles.bundle("pets", 1, 3);
        StoredBundle stored = store.save(original);

        ModelBundle loaded = store.load(stored.uri(), stored.sha256().toUpperCase(Locale.ROOT));

        assertThat(loaded.manifest()).isEqualTo(original.manifest());
        assertThat(loaded.predict(TestBundles.input(4))).isDeepEqualTo(original.predict(TestBundles.input(4)));
    }

    @Test
    void shouldTreatSavingTheSameBundleAgainAsANoOp() {
        FileSystemModelStore store = new FileSystemModelStore(root);
        ModelBundle bundle = TestBundles.bundle("pets", 1, 3);

        StoredBundle first = store.save(bundle);
        StoredBundle second = store.save(bundle);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldRefuseToOverwriteAVersionWithOtherContent() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root);
        StoredBundle first = store.save(TestBundles.bundle("pets", 1, 3));

        assertThatThrownBy(() -> store.save(TestBundles.bundle("pets", 1, 4)))
                .isInstanceOf(BundleVersionConflictException.class)
                .hasMessageContaining("pets v1 is already stored")
                .hasMessageContaining(first.sha256())
                .hasMessageContaining("save it as a new version");
        assertThat(sha256(Path.of(first.uri()))).isEqualTo(first.sha256());
    }

    @Test
    void shouldRefuseATamperedFileBeforeDeserializing() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root);
        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));
        Path file = Path.of(stored.uri());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);

        assertThatThrownBy(() -> store.load(stored.uri(), stored.sha256()))
                .isInstanceOf(BundleIntegrityException.class)
                .hasMessageContaining("has sha256 " + sha256(file))
                .hasMessageContaining("but " + stored.sha256() + " was expected")
                .hasMessageContaining("restore the file");
    }

    @Test
    void shouldRefuseACorruptBundleWhoseChecksumMatches() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root);
        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));
        Path file = Path.of(stored.uri());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 3));

        assertThatThrownBy(() -> store.load(stored.uri(), sha256(file))).isInstanceOf(BundleFormatException.class);
    }

    @Test
    void shouldRefuseUrisOutsideTheRoot() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root.resolve("store"));
        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));
        Path outside = root.resolve("outside/v1/bundle.zip");
        Files.createDirectories(outside.getParent());
        Files.copy(Path.of(stored.uri()), outside);
        URI traversal = URI.create(root.resolve("store").toUri() + "pets/../../outside/v1/bundle.zip");

        assertThatThrownBy(() -> store.load(traversal, stored.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the store root");
        assertThatThrownBy(() -> store.load(outside.toUri(), stored.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the store root");
        assertThatThrownBy(() -> store.load(URI.create("s3://bucket/pets/v1/bundle.zip"), stored.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme 's3'");
        assertThatThrownBy(() -> store.load(root.resolve("store/pets/v1").toUri(), stored.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not name");
    }

    @Test
    void shouldRefuseSymbolicLinksOutOfTheRoot() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root.resolve("store"));
        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));
        Path outside = root.resolve("elsewhere");
        Files.createDirectories(outside.resolve("v1"));
        Files.copy(Path.of(stored.uri()), outside.resolve("v1/bundle.zip"));
        Files.createSymbolicLink(root.resolve("store/linked"), outside);

        assertThatThrownBy(() ->
                        store.load(root.resolve("store/linked/v1/bundle.zip").toUri(), stored.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symbolic link");
    }

    /** A link that points inside the store today can be pointed anywhere tomorrow: none is followed. */
    @Test
    void shouldRefuseSymbolicLinksInsideTheRoot() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root.resolve("store"));
        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));
        Path model = root.resolve("store/pets");
        Files.move(model, root.resolve("store/pets-moved"));
        Files.createSymbolicLink(model, root.resolve("store/pets-moved"));
        StoredBundle other = store.save(TestBundles.bundle("cats", 1, 3));
        Path file = Path.of(other.uri());
        Files.move(file, root.resolve("store/cats/moved.zip"));
        Files.createSymbolicLink(file, root.resolve("store/cats/moved.zip"));

        assertThatThrownBy(() -> store.load(stored.uri(), stored.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> store.load(other.uri(), other.sha256()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void shouldNameThePathOfAMissingBundle() {
        FileSystemModelStore store = new FileSystemModelStore(root);
        URI missing = store.bundlePath("pets", 7).toUri();

        assertThatThrownBy(() -> store.load(missing, "0".repeat(64)))
                .isInstanceOf(BundleNotFoundException.class)
                .hasMessageContaining(root.resolve("pets/v7/bundle.zip").toString());
    }

    @Test
    void shouldRefuseABundleCopiedToAnotherVersion() throws IOException {
        FileSystemModelStore store = new FileSystemModelStore(root);
        StoredBundle stored = store.save(TestBundles.bundle("pets", 1, 3));
        Path copy = store.bundlePath("pets", 2);
        Files.createDirectories(copy.getParent());
        Files.copy(Path.of(stored.uri()), copy);

        assertThatThrownBy(() -> store.load(copy.toUri(), stored.sha256()))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("declares pets v1 but is stored as pets v2");
    }

    @Test
    void shouldListBundlesByNameThenVersion() {
        FileSystemModelStore store = new FileSystemModelStore(root);
        StoredBundle petsTwo = store.save(TestBundles.bundle("pets", 2, 5));
        StoredBundle birds = store.save(TestBundles.bundle("birds", 1, 6));
        StoredBundle petsOne = store.save(TestBundles.bundle("pets", 1, 3));

        List<StoredBundle> listed = store.list();

        assertThat(listed).containsExactly(birds, petsOne, petsTwo);
        assertThat(new FileSystemModelStore(root.resolve("absent")).list()).isEmpty();
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        }
    }
}
