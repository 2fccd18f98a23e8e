package io.imgstream.cli;

import io.imgstream.control.BundleSignature;
import io.imgstream.control.SigningAnnouncer;
import io.imgstream.control.VersionAnnouncer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --signing-key} option of the commands that announce versions. */
public final class SigningKeyOption {

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "Ed25519 private key (PEM) to sign the announcement with, for scorers that check signatures.")
    private Path key;

    /** {@code announcer}, signing when a key was given. */
    VersionAnnouncer wrap(VersionAnnouncer announcer) {
        if (key == null) {
            return announcer;
        }
        try {
            return new SigningAnnouncer(announcer, BundleSignature.readPrivateKey(key));
        } catch (IllegalArgumentException e) {
            throw new CliException("--signing-key: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }
}
