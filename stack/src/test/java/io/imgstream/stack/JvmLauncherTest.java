package io.imgstream.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmLauncherTest {

    @TempDir
    Path dir;

    @Test
    void shouldExpandAManifestOnlyJarIntoItsEntries() throws IOException {
        Path first = Files.createFile(dir.resolve("first.jar"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path booter = manifestJar("booter.jar", first.toUri() + " " + classes.toUri());

        String expanded = JvmLauncher.expandManifestOnlyJar(booter.toString());

        assertThat(expanded.split(File.pathSeparator))
                .containsExactly(
                        first.toString(),
                        classes.toString(),
                        booter.toAbsolutePath().toString());
    }

    @Test
    void shouldKeepAnOrdinaryClasspathAsItIs() throws IOException {
        Path plain = manifestJar("plain.jar", null);
        String several = plain + File.pathSeparator + dir.resolve("classes");

        assertThat(JvmLauncher.expandManifestOnlyJar(plain.toString())).isEqualTo(plain.toString());
        assertThat(JvmLauncher.expandManifestOnlyJar(several)).isEqualTo(several);
    }

    @Test
    void shouldTailTheLastLinesOfALog() throws IOException {
        Path log = Files.writeString(
                dir.resolve("server.log"),
                IntStream.rangeClosed(1, 50).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));

        assertThat(JvmLauncher.tail(log, 3).lines()).containsExactly("line 48", "line 49", "line 50");
        assertThat(JvmLauncher.tail(dir.resolve("missing.log"), 3)).contains("no log file");
    }

    private Path manifestJar(String name, String classPath) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return jar;
    }
}
