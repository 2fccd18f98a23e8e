package io.imgstream.topology.swap;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.schemas.avro.ModelVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Loads the bundle a {@link ModelVersion} announces and checks it against the announcement before anything
 * scores with it: the announcement's signature of all it announces when a public key is configured, that the bundle
 * is a regular file in the scorer's own model store (under its root once normalised, through no symbolic link, in
 * the store's {@code <model>/v<version>/bundle.zip} layout), the file's sha256, then the manifest's model name,
 * version, base model and class list. Any mismatch refuses the version.
 *
 * <p>The store check keeps an announcement, signed or not, from making the scorer open an arbitrary file: a device
 * or FIFO that blocks it, a file a link leads to, or a bundle planted somewhere the publisher never wrote.
 *
 * <p>Thread-safe and stateless.
 */
public final class BundleLoader {

    private static final Pattern SHA_256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final FileSystemModelStore store;
    private final PublicKey signer;

    /**
     * @param storeRoot the root of the model store bundles may be read from ({@code model.store})
     * @param signer    the publisher's public key, or null to accept unsigned versions
     */
    public BundleLoader(Path storeRoot, PublicKey signer) {
        this.store = new FileSystemModelStore(Objects.requireNonNull(storeRoot, "storeRoot"));
        this.signer = signer;
    }

    /**
     * @return the verified bundle
     * @throws ModelRefusedException if the bundle is missing, unreadable, corrupt or not the one announced
     */
    public ModelBundle load(ModelVersion version) throws ModelRefusedException {
        String label = version.getModelName() + " v" + version.getVersion();
        verifySignature(version);
        ModelBundle bundle = read(label, version);
        BundleManifest manifest = bundle.manifest();
        List<String> announced =
                version.getClasses().stream().map(CharSequence::toString).toList();
        String problem = null;
        if (!manifest.modelName().equals(version.getModelName()) || manifest.version() != version.getVersion()) {
            problem = "the bundle is " + manifest.modelName() + " v" + manifest.version();
        } else if (!manifest.baseModelId().equals(version.getBaseModelId())) {
            problem = "the bundle's base model is " + manifest.baseModelId() + ", the announcement says "
                    + version.getBaseModelId();
        } else if (!manifest.classes().equals(announced)) {
            problem = "the bundle's classes " + manifest.classes() + " disagree with the announced " + announced;
        }
        if (problem != null) {
            bundle.network().clear();
            throw new ModelRefusedException(
                    label + ": " + problem + "; republish the version with the bundle it names");
        }
        return bundle;
    }

    /**
     * Checks the announcement's signature, when this scorer checks them: what {@link #load} checks before it opens
     * anything, for an announcement of a bundle the scorer has loaded already (a canary being promoted).
     *
     * @throws ModelRefusedException if signatures are checked and this one is missing or does not match
     */
    public void verifySignature(ModelVersion version) throws ModelRefusedException {
        String label = version.getModelName() + " v" + version.getVersion();
        if (signer != null) {
            CharSequence signature = version.getBundleSignature();
            if (signature == null) {
                throw new ModelRefusedException(label + ": the announcement is not signed, and this scorer accepts "
                        + "only versions signed with the key of model.signature.public.key; publish it again signed "
                        + "with the private key of that pair: 'imgstream models promote --signing-key FILE', or "
                        + "model.signature.private.key on the training worker ('imgstream stack up' keeps its pair "
                        + "in the keys folder of its work directory)");
            }
            if (!AnnouncementSignature.isSignedBy(version, signer)) {
                throw new ModelRefusedException(label + ": the announcement's signature does not match what it "
                        + "announces (model, version, status, bundle, base, classes) under the key of "
                        + "model.signature.public.key; it was changed after signing or signed with another key");
            }
        }
    }

    private ModelBundle read(String label, ModelVersion version) throws ModelRefusedException {
        CharSequence location = version.getBundleUri();
        CharSequence sha256 = version.getBundleSha256();
        if (location == null || sha256 == null || !SHA_256.matcher(sha256).matches()) {
            throw new ModelRefusedException(
                    label + ": the announcement names no bundle, or no sha256 of 64 hex digits");
        }
        URI uri;
        try {
            uri = new URI(location.toString());
        } catch (URISyntaxException e) {
            throw new ModelRefusedException(label + ": bundle location '" + location + "' is not a URI", e);
        }
        try {
            return store.load(uri, sha256.toString());
        } catch (IllegalArgumentException e) {
            // The store refuses locations only this way: another scheme, outside the root, a link, another layout.
            throw new ModelRefusedException(
                    label + ": " + e.getMessage() + "; this scorer reads announced bundles only from its model store ("
                            + "model.store=" + store.root() + "): publish versions saved there, or set "
                            + "model.store to the store the training worker and 'imgstream models "
                            + "promote' use",
                    e);
        } catch (RuntimeException e) {
            throw new ModelRefusedException(label + ": bundle " + uri + " refused: " + e.getMessage(), e);
        }
    }

    /**
     * The file a bundle location names: a {@code file:} URI or a plain path, absolute and normalised.
     *
     * @throws IllegalArgumentException for any other URI scheme, or a location that is not a valid URI or path
     */
    public static Path bundlePath(String location) {
        if (location.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") && !location.regionMatches(true, 0, "file:", 0, 5)) {
            throw new IllegalArgumentException("bundle URI scheme '"
                    + location.substring(0, location.indexOf(':')).toLowerCase(Locale.ROOT)
                    + "' is not supported; use file: URIs or paths of a model store every "
                    + "scorer can read");
        }
        try {
            Path path =
                    location.regionMatches(true, 0, "file:", 0, 5) ? Path.of(URI.create(location)) : Path.of(location);
            return path.toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bundle location '" + location + "' is not a valid file URI or path", e);
        }
    }
}
