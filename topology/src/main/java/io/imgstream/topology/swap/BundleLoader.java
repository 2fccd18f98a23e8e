package io.imgstream.topology.swap;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.schemas.avro.ModelVersion;
import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;

/**
 * Loads the bundle a {@link ModelVersion} announces and checks it against the announcement before anything
 * scores with it: the announcement's signature of all it announces when a public key is configured, the file's sha256,
 * then the manifest's model name, version, base model and class list. Any mismatch refuses the version.
 *
 * <p>Thread-safe and stateless.
 */
public final class BundleLoader {

    private final PublicKey signer;

    /** A loader that checks no signature. */
    public BundleLoader() {
        this(null);
    }

    /** @param signer the publisher's public key, or null to accept unsigned versions */
    public BundleLoader(PublicKey signer) {
        this.signer = signer;
    }

    /**
     * @return the verified bundle
     * @throws ModelRefusedException if the bundle is missing, unreadable, corrupt or not the one announced
     */
    public ModelBundle load(ModelVersion version) throws ModelRefusedException {
        String label = version.getModelName() + " v" + version.getVersion();
        if (signer != null) {
            CharSequence signature = version.getBundleSignature();
            if (signature == null) {
                throw new ModelRefusedException(
                        label + ": the announcement is not signed, and this scorer accepts only "
                                + "versions signed with the key of model.signature.public.key");
            }
            if (!AnnouncementSignature.isSignedBy(version, signer)) {
                throw new ModelRefusedException(label + ": the announcement's signature does not match what it "
                        + "announces (model, version, status, bundle, base, classes) under the key of "
                        + "model.signature.public.key; it was changed after signing or signed with another key");
            }
        }
        Path path = pathOf(label, version.getBundleUri());
        ModelBundle bundle;
        try {
            bundle = BundleFile.readVerified(path, version.getBundleSha256());
        } catch (RuntimeException e) {
            throw new ModelRefusedException(label + ": bundle " + path + " refused: " + e.getMessage(), e);
        }
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

    private static Path pathOf(String label, String uri) throws ModelRefusedException {
        try {
            return bundlePath(uri);
        } catch (IllegalArgumentException e) {
            throw new ModelRefusedException(label + ": " + e.getMessage(), e);
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
