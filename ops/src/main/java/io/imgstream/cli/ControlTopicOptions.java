package io.imgstream.cli;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.SigningAnnouncer;
import io.imgstream.control.VersionAnnouncer;
import io.imgstream.schemas.TopicRole;
import java.nio.file.Path;
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

    @Option(
            names = "--signing-key",
            paramLabel = "FILE",
            description = "Ed25519 private key (PEM) to sign the announcement with, for scorers that check signatures.")
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

    /** Where announcements go: {@code control}, through a signer when {@code --signing-key} was given. */
    VersionAnnouncer announcer(ControlTopic control) {
        if (key == null) {
            return control;
        }
        try {
            return new SigningAnnouncer(control, AnnouncementSignature.readPrivateKey(key));
        } catch (IllegalArgumentException e) {
            throw new CliException("--signing-key: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }
}
