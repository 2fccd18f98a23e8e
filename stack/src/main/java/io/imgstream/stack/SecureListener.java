package io.imgstream.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The local broker's optional secured client listener: {@code SASL_SSL}, TLS with a self-signed certificate for
 * {@code 127.0.0.1} and SASL/PLAIN as user {@code imgstream}. The password and the certificate are made at the
 * first start and kept under the work directory, so clients' settings stay valid across restarts; the clients'
 * side (security protocol, JAAS line, the certificate as a PEM trust store) is written to
 * {@link StackConfig#secureClientConfig()}. Every file holding the password is readable by its owner only.
 */
final class SecureListener {

    /** The listener's name and security protocol. */
    static final String PROTOCOL = "SASL_SSL";

    private static final String USER = "imgstream";
    private static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String PREFIX = "listener.name.sasl_ssl.";
    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final String OWNER_ONLY = "rw-------";

    private final StackConfig config;

    SecureListener(StackConfig config) {
        this.config = config;
    }

    /**
     * Makes the password and the broker's certificate unless an earlier start did, and writes the client settings.
     *
     * @throws StackException with {@link StackException.Reason#START_FAILED} if {@code keytool} fails
     */
    void prepare() throws IOException {
        Files.createDirectories(dir());
        String password = password();
        if (!Files.exists(keystore()) || !Files.exists(certificate())) {
            generateCertificate();
        }
        writeOwnerOnly(
                config.secureClientConfig(),
                String.join(
                        System.lineSeparator(),
                        "# Written by 'imgstream stack up': client settings for the broker's SASL_SSL listener at "
                                + config.secureBootstrapServers() + ".",
                        "# Use them with --bootstrap-servers " + config.secureBootstrapServers()
                                + " --kafka-config <this file>.",
                        "security.protocol=" + PROTOCOL,
                        "sasl.mechanism=PLAIN",
                        "sasl.jaas.config=" + PLAIN_LOGIN_MODULE + " required username=\"" + USER + "\" password=\""
                                + password + "\";",
                        "ssl.truststore.type=PEM",
                        "ssl.truststore.location=" + certificate(),
                        ""));
    }

    /** The broker settings of the listener (its address is added by the caller). */
    List<String> serverProperties() throws IOException {
        String password = password();
        return List.of(
                PREFIX + "sasl.enabled.mechanisms=PLAIN",
                PREFIX + "plain.sasl.jaas.config=" + PLAIN_LOGIN_MODULE + " required user_" + USER + "=\"" + password
                        + "\";",
                PREFIX + "ssl.keystore.type=PKCS12",
                PREFIX + "ssl.keystore.location=" + keystore(),
                PREFIX + "ssl.keystore.password=" + password,
                PREFIX + "ssl.key.password=" + password);
    }

    // keytool reads the password from its file, so it never shows on a command line.
    private void generateCertificate() throws IOException {
        Files.deleteIfExists(keystore());
        String keytool =
                JvmLauncher.currentJavaHome().resolve("bin").resolve("keytool").toString();
        Path log = config.logsDir().resolve("keytool.log");
        Files.createDirectories(log.getParent());
        String passwordFile = passwordFile().toString();
        run(
                List.of(
                        keytool,
                        "-genkeypair",
                        "-noprompt",
                        "-alias",
                        "broker",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "3650",
                        "-dname",
                        "CN=imgstream local stack",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore().toString(),
                        "-storepass:file",
                        passwordFile,
                        "-keypass:file",
                        passwordFile),
                log);
        run(
                List.of(
                        keytool,
                        "-exportcert",
                        "-rfc",
                        "-alias",
                        "broker",
                        "-keystore",
                        keystore().toString(),
                        "-storepass:file",
                        passwordFile,
                        "-file",
                        certificate().toString()),
                log);
    }

    private void run(List<String> command, Path log) {
        int exit = JvmLauncher.runToCompletion(command, config.workDir(), log, KEYTOOL_TIMEOUT);
        if (exit != 0) {
            throw new StackException(
                    StackException.Reason.START_FAILED,
                    "keytool failed (exit " + exit + ") making the "
                            + "secure listener's certificate; last lines of " + log + ":" + System.lineSeparator()
                            + JvmLauncher.tail(log, LocalStack.LOG_TAIL_LINES));
        }
    }

    private String password() throws IOException {
        Path file = passwordFile();
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        writeOwnerOnly(file, password);
        return password;
    }

    /**
     * Writes {@code content} to {@code file}, created readable by its owner only before anything is written, so the
     * password is never readable by others.
     */
    static void writeOwnerOnly(Path file, String content) throws IOException {
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix && !Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        } else if (posix) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(OWNER_ONLY));
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private Path dir() {
        return config.kafkaDir().resolve("secure");
    }

    private Path passwordFile() {
        return dir().resolve("password");
    }

    private Path keystore() {
        return dir().resolve("broker.p12");
    }

    private Path certificate() {
        return dir().resolve("broker-cert.pem");
    }
}
