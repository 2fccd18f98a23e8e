package io.imgstream.control;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The two PEM files of an announcement-signing key pair, side by side in one directory under the names
 * {@code imgstream models keygen} and {@code imgstream stack up} give them: the private key for publishers (the
 * training worker's {@code model.signature.private.key}, {@code models promote --signing-key}), the public key for
 * scorers ({@code model.signature.public.key}).
 *
 * @param privateKey the PKCS#8 PEM file of the private key
 * @param publicKey  the X.509 PEM file of the public key
 */
public record SigningKeyFiles(Path privateKey, Path publicKey) {

    /** File name of the private key. */
    public static final String PRIVATE_FILE = "imgstream-signing.pem";
    /** File name of the public key. */
    public static final String PUBLIC_FILE = "imgstream-signing.pub.pem";

    /** The pair's files in {@code directory}, whether or not they exist. */
    public static SigningKeyFiles in(Path directory) {
        Path absolute = directory.toAbsolutePath().normalize();
        return new SigningKeyFiles(absolute.resolve(PRIVATE_FILE), absolute.resolve(PUBLIC_FILE));
    }

    /** The private key file, if it is there. */
    public Optional<Path> existingPrivateKey() {
        return Files.isRegularFile(privateKey, LinkOption.NOFOLLOW_LINKS) ? Optional.of(privateKey) : Optional.empty();
    }

    /** The public key file, if it is there. */
    public Optional<Path> existingPublicKey() {
        return Files.isRegularFile(publicKey, LinkOption.NOFOLLOW_LINKS) ? Optional.of(publicKey) : Optional.empty();
    }

    /**
     * Writes a new pair unless both files are there; the private key is readable by its owner only where the file
     * system allows (see {@link AnnouncementSignature#write}).
     *
     * @return whether a new pair was written
     * @throws IllegalStateException if only one of the two files is there: a new pair would not match the
     *                               announcements already signed or the scorers already configured
     * @throws java.io.UncheckedIOException if the files can't be written
     */
    public boolean createIfAbsent() {
        boolean privateThere = Files.exists(privateKey, LinkOption.NOFOLLOW_LINKS);
        boolean publicThere = Files.exists(publicKey, LinkOption.NOFOLLOW_LINKS);
        if (privateThere && publicThere) {
            return false;
        }
        if (privateThere || publicThere) {
            throw new IllegalStateException("only " + (privateThere ? privateKey : publicKey) + " of the signing key "
                    + "pair is there, " + (privateThere ? publicKey : privateKey) + " is missing: restore it, or move "
                    + "both away to get a new pair (then give scorers the new public key)");
        }
        AnnouncementSignature.write(AnnouncementSignature.generate(), privateKey, publicKey);
        return true;
    }
}
