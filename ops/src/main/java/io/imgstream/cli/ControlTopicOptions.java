package io.imgstream.cli;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.SigningAnnouncer;
import io.imgstream.control.SigningKeyFiles;
import io.imgstream.control.VersionAnnouncer;
import io.imgstream.schemas.TopicRole;
import io.imgstream.stack.StackConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that announce stored versions on the control topic: the model store, where the
 * topic is (the connection and {@code --topic}) and the key announcements are signed with.
 */
final class ControlTopicOptions {

    @Mixin
    private ConnectionOptions connection;

    @Mixin
    private ModelStoreOption store;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Control topic (default: topic.model-versions of --kafka-config, else 'model-versions').")
    private String topic;

    @Mixin
    private WorkDirOption stack;

    @Option(
            names = "--signing-key",
            paramLabel = "FILE",
            description = "Ed25519 private key (PEM) to sign the announcement with, for scorers that check signatures "
                    + "(default: the local stack's, <work-dir>/" + StackConfig.SIGNING_KEYS_DIR + "/"
                    + SigningKeyFiles.PRIVATE_FILE + ", when 'imgstream stack up' made one).")
    private Path key;

    /** The model store the announced bundles are in. */
    ModelStoreOption store() {
        return store;
    }

    /** The control topic's name. */
    String topic() {
        return connection.topic(topic, TopicRole.MODEL_VERSIONS);
    }

    /**
     * The control topic, once the broker and the registry answer.
     *
     * @throws CliException if either does not
     */
    ControlTopic open() {
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        return new ControlTopic(connection.clientProperties(), connection.serdes(), topic());
    }

    /**
     * The key announcements are signed with: {@code --signing-key}, else the local stack's private key if there is
     * one.
     */
    Optional<Path> signingKey() {
        return key != null ? Optional.of(key) : stack.signingKeys().existingPrivateKey();
    }

    /** Where announcements go: {@code control}, through a signer when there is a {@link #signingKey()}. */
    VersionAnnouncer announcer(ControlTopic control) {
        Optional<Path> signingKey = signingKey();
        if (signingKey.isEmpty()) {
            return control;
        }
        try {
            return new SigningAnnouncer(control, AnnouncementSignature.readPrivateKey(signingKey.get()));
        } catch (IllegalArgumentException e) {
            throw new CliException("--signing-key: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }

    /** A sentence on how announcements are signed, for the commands to print. */
    String signing() {
        return signingKey()
                .map(file -> "Signed with " + file + ".")
                .orElse("Not signed: scorers that check signatures refuse it; sign with --signing-key FILE.");
    }
}
