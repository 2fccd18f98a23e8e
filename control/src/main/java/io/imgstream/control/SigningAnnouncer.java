package io.imgstream.control;

import io.imgstream.schemas.avro.ModelVersion;
import java.security.PrivateKey;
import java.util.Objects;

/** Signs every announcement whole ({@link AnnouncementSignature}) with the publisher's key, then hands it on. */
public final class SigningAnnouncer implements VersionAnnouncer {

    private final VersionAnnouncer next;
    private final PrivateKey key;

    /**
     * @param next where signed announcements go
     * @param key  the publisher's Ed25519 private key
     */
    public SigningAnnouncer(VersionAnnouncer next, PrivateKey key) {
        this.next = Objects.requireNonNull(next, "next");
        this.key = Objects.requireNonNull(key, "key");
    }

    @Override
    public void announce(ModelVersion version) {
        next.announce(AnnouncementSignature.signed(version, key));
    }
}
