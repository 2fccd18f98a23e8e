package io.imgstream.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkLocatorTest {

    @TempDir
    Path jvmRoot;

    @Test
    void shouldPickTheNewestJdkOfAtLeast21() throws IOException {
        fakeJdk("java-17-openjdk-amd64", "17.0.15");
        Path jdk21 = fakeJdk("jdk-21", "21.0.2");
        Path temurin25 = fakeJdk("temurin-25-jdk-amd64", "25.0.3");

        assertThat(locator(Map.of()).locate(null)).isEqualTo(temurin25);
        Files.delete(temurin25.resolve("release"));
        assertThat(locator(Map.of()).locate(null)).isEqualTo(jdk21);
    }

    @Test
    void shouldIgnoreDirectoriesWithoutJavaBinary() throws IOException {
        Path jre = Files.createDirectories(jvmRoot.resolve("broken-25"));
        Files.writeString(jre.resolve("release"), "JAVA_VERSION=\"25\"\n");
        Path jdk21 = fakeJdk("jdk-21", "21");

        assertThat(locator(Map.of()).locate(null)).isEqualTo(jdk21);
    }

    @Test
    void shouldPreferTheExplicitHomeOverTheEnvironment() throws IOException {
        Path explicit = fakeJdk("explicit", "21.0.1");
        Path fromEnv = fakeJdk("from-env", "25.0.3");

        assertThat(locator(Map.of(JdkLocator.JAVA_HOME_ENV, fromEnv.toString())).locate(explicit))
                .isEqualTo(explicit);
        assertThat(locator(Map.of(JdkLocator.JAVA_HOME_ENV, fromEnv.toString())).locate(null))
                .isEqualTo(fromEnv);
    }

    @Test
    void shouldRejectAnExplicitHomeBelow21NamingTheOption() throws IOException {
        Path old = fakeJdk("old", "17.0.15");

        assertThatThrownBy(() -> locator(Map.of()).locate(old))
                .isInstanceOfSatisfying(
                        StackException.class, e -> assertThat(e.reason()).isEqualTo(StackException.Reason.JAVA_MISSING))
                .hasMessageContaining("--registry-java-home")
                .hasMessageContaining("Java 17")
                .hasMessageContaining("needs Java 21+");
    }

    @Test
    void shouldRejectAnEnvironmentHomeWithoutJavaNamingTheVariable() {
        assertThatThrownBy(() -> locator(Map.of(
                                JdkLocator.JAVA_HOME_ENV,
                                jvmRoot.resolve("missing").toString()))
                        .locate(null))
                .hasMessageContaining(JdkLocator.JAVA_HOME_ENV)
                .hasMessageContaining("has no bin/java");
    }

    @Test
    void shouldSayWhatToInstallWhenNoJdkQualifies() throws IOException {
        fakeJdk("java-17-openjdk-amd64", "17.0.15");

        assertThatThrownBy(() -> locator(Map.of()).locate(null))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("Temurin 25")
                .hasMessageContaining("--registry-java-home")
                .hasMessageContaining(JdkLocator.JAVA_HOME_ENV);
    }

    @Test
    void shouldFindJavaHomeFromTheEnvironment() throws IOException {
        Path elsewhere = Files.createTempDirectory(jvmRoot.getParent(), "elsewhere");
        Path jdk = fakeJdk(elsewhere, "jdk", "22.0.1");

        assertThat(locator(Map.of("JAVA_HOME", jdk.toString())).locate(null)).isEqualTo(jdk);
    }

    @Test
    void shouldReadLegacyAndModernVersionStrings() throws IOException {
        assertThat(JdkLocator.featureVersion(fakeJdk("eight", "1.8.0_292"))).hasValue(8);
        assertThat(JdkLocator.featureVersion(fakeJdk("twenty-five", "25.0.3"))).hasValue(25);
        assertThat(JdkLocator.featureVersion(fakeJdk("ea", "26-ea"))).hasValue(26);
        assertThat(JdkLocator.featureVersion(jvmRoot.resolve("nothing"))).isEmpty();
    }

    private JdkLocator locator(Map<String, String> env) {
        return new JdkLocator(env, List.of(jvmRoot));
    }

    private Path fakeJdk(String name, String version) throws IOException {
        return fakeJdk(jvmRoot, name, version);
    }

    private static Path fakeJdk(Path root, String name, String version) throws IOException {
        Path home = Files.createDirectories(root.resolve(name));
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}
