package io.imgstream.topology.swap;

import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.schemas.avro.ModelVersion;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads the bundle a {@link ModelVersion} announces and checks it against the announcement before anything
 * scores with it: the file's sha256, then the manifest's model name, version, base model and class list. Any
 * mismatch refuses the version.
 *
 * <p>Thread-safe and stateless.
 */
public final class BundleLoader {

    /**
     * @return the verified bundle
     * @throws ModelRefusedException if the bundle is missing, unreadable, corrupt or not the one announced
     */
    public ModelBundle load(ModelVersion version) throws ModelRefusedException {
        String label = version.getModelName() + " v" + version.getVersion();
        Path path = pathOf(label, version.getBundleUri());
        ModelBundle bundle;
        try {
            bundle = BundleFile.readVerified(path, version.getBundleSha256());
        } catch (RuntimeException e) {
            throw new ModelRefusedException(label + ": bundle " + path + " refused: " + e.getMessage(), e);
        }
        BundleManifest manifest = bundle.manifest();
        List<String> announced = version.getClasses().stream().map(CharSequence::toString).toList();
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
            throw new ModelRefusedException(label + ": " + problem + "; republish the version with the bundle it names");
        }
        return bundle;
    }

    private static Path pathOf(String label, String uri) throws ModelRefusedException {
        try {
            if (uri.regionMatches(true, 0, "file:", 0, "file:".length())) {
                return Path.of(URI.create(uri));
            }
            if (uri.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
                throw new ModelRefusedException(label + ": bundle URI scheme '" + uri.substring(0, uri.indexOf(':'))
                        .toLowerCase(Locale.ROOT) + "' is not supported; publish file: URIs of a model store every "
                        + "scorer can read");
            }
            return Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new ModelRefusedException(label + ": bundle URI '" + uri + "' is not a valid file URI or path", e);
        }
    }
}
