package io.imgstream.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.connect.source.RootConfinement.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootConfinementTest {

    @TempDir
    Path temp;

    private Path root;
    private Path secret;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(temp.resolve("root")).toRealPath();
        secret = Files.write(temp.resolve("secret.png"), new byte[] {6, 6, 6});
    }

    @Test
    void shouldTakeRegularFilesAndLinksThatStayInTheRoot() throws IOException {
        Path image = Files.write(root.resolve("cat.png"), new byte[] {1, 2});
        Path alias = Files.createSymbolicLink(root.resolve("alias.png"), image);

        assertThat(RootConfinement.classify(root, image)).isEqualTo(Entry.IMAGE_FILE);
        assertThat(RootConfinement.classify(root, alias)).isEqualTo(Entry.IMAGE_FILE);
        try (InputStream in = RootConfinement.open(root, alias)) {
            assertThat(in.readAllBytes()).containsExactly(1, 2);
        }
    }

    @Test
    void shouldNeverReadALinkOutOfTheRoot() throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("innocent.png"), secret);

        assertThat(RootConfinement.classify(root, link)).isEqualTo(Entry.LINK_OUT_OF_ROOT);
        assertThatThrownBy(() -> RootConfinement.open(root, link))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("outside the root");
    }

    @Test
    void shouldRefuseAFileSwappedForALinkOutAfterTheScan() throws IOException {
        Path file = Files.write(root.resolve("cat.png"), new byte[] {1});
        assertThat(RootConfinement.classify(root, file)).isEqualTo(Entry.IMAGE_FILE);
        Path link = Files.createSymbolicLink(root.resolve(".swap"), secret);
        Files.move(link, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> RootConfinement.open(root, file)).isInstanceOf(IOException.class);
    }

    @Test
    void shouldSkipDirectoriesAndDanglingLinks() throws IOException {
        Path folder = Files.createDirectories(root.resolve("sub.png"));
        Path dangling = Files.createSymbolicLink(root.resolve("dangling.png"), root.resolve("missing.png"));

        assertThat(RootConfinement.classify(root, folder)).isEqualTo(Entry.OTHER);
        assertThat(RootConfinement.classify(root, dangling)).isEqualTo(Entry.OTHER);
    }
}
