package io.imgstream.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The models inside an nsfwjs npm tarball (e.g. {@code nsfwjs-4.4.0.tgz}, MIT licensed), read straight
 * from the {@code .tgz} without unpacking it.
 *
 * <p>nsfwjs ships each model as browserify bundles under {@code package/dist/models/<name>/}: a
 * {@code model.min.js} whose module exports the model.json as a minified JavaScript object literal, and
 * {@code group1-shardNofM.min.js} files whose modules export each weight shard as a base64 string. This
 * class cuts those literals out of the bundles, rewrites the object literal into JSON (see
 * {@code JsLiteral}) and decodes the shards, which turns each bundle into a standard TF.js model.json plus
 * binary shards for {@link TfjsLayersSource}.
 *
 * <p>In nsfwjs 4.4.0: {@code mobilenet_v2} (layers model, 224x224), {@code inception_v3} (layers model,
 * 299x299) and {@code mobilenet_v2_mid} (a TF.js graph model, which loads with
 * {@link UnsupportedModelException}). nsfwjs feeds all of them RGB scaled to [0, 1] (pixel / 255).
 *
 * <p>Immutable and thread-safe. {@link #open} reads the whole tarball into memory once (25 MB for 4.4.0).
 */
public final class NsfwjsPackage {

    private static final String MODELS_DIR = "package/dist/models/";
    private static final String BUNDLE_SUFFIX = ".min.js";
    private static final String MODEL_BUNDLE = "model" + BUNDLE_SUFFIX;
    /** Browserify wraps each module as {@code {1:[function(require,module,exports){module.exports=...}}. */
    private static final String MODULE_START = "{1:[function(";

    private static final String EXPORTS = ".exports=";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path tarball;
    private final Map<String, byte[]> bundles;

    private NsfwjsPackage(Path tarball, Map<String, byte[]> bundles) {
        this.tarball = tarball;
        this.bundles = bundles;
    }

    /**
     * Reads the model bundles out of an nsfwjs npm tarball.
     *
     * @param tarball the {@code .tgz} that {@code npm pack nsfwjs@VERSION} writes
     * @throws WeightsNotFoundException if the file does not exist
     * @throws CorruptWeightsException  if it is not a gzipped tar or holds no models
     */
    public static NsfwjsPackage open(Path tarball) throws WeightLoadException {
        Objects.requireNonNull(tarball, "tarball");
        Map<String, byte[]> bundles = new TreeMap<>();
        try (InputStream file = Files.newInputStream(tarball);
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(file)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                if (entry.isFile() && name.startsWith(MODELS_DIR) && name.endsWith(BUNDLE_SUFFIX)) {
                    bundles.put(name.substring(MODELS_DIR.length()), tar.readAllBytes());
                }
            }
        } catch (NoSuchFileException e) {
            throw new WeightsNotFoundException("nsfwjs tarball " + tarball + " does not exist", e);
        } catch (IOException e) {
            throw new CorruptWeightsException(
                    "nsfwjs tarball " + tarball + " is not a readable .tgz: " + e.getMessage(), e);
        }
        if (bundles.isEmpty()) {
            throw new CorruptWeightsException(
                    "nsfwjs tarball " + tarball + " has no " + MODELS_DIR + "*/*" + BUNDLE_SUFFIX + " bundles");
        }
        return new NsfwjsPackage(tarball, Map.copyOf(bundles));
    }

    /** Names of the models in the package, i.e. the directories under {@code dist/models} with a model bundle. */
    public Set<String> models() {
        Set<String> names = new TreeSet<>();
        for (String path : bundles.keySet()) {
            if (path.endsWith("/" + MODEL_BUNDLE)) {
                names.add(path.substring(0, path.indexOf('/')));
            }
        }
        return names;
    }

    /**
     * The model's bundles as a TF.js layers source; they are decoded when the source is loaded.
     *
     * @param model one of {@link #models()}, e.g. {@code mobilenet_v2}
     * @throws WeightsNotFoundException if the package has no such model
     */
    public TfjsLayersSource model(String model) throws WeightsNotFoundException {
        requireModel(model);
        String description = "nsfwjs:" + tarball.getFileName() + "!" + model;
        return new TfjsLayersSource(description, () -> modelJson(model), path -> shard(model, path));
    }

    /**
     * Writes a model as a standard TF.js layers model: {@code model.json} plus one binary file per shard
     * named as the manifest says, loadable by {@link TfjsLayersSource#fromModelJson} or by TF.js itself.
     *
     * @param model     one of {@link #models()}
     * @param directory where to write; created if absent, existing files of the same names are replaced
     * @return the path of the written {@code model.json}
     * @throws WeightsNotFoundException if the package has no such model or shard
     * @throws CorruptWeightsException  if a bundle cannot be decoded, or a file cannot be written
     */
    public Path writeTfjsModel(String model, Path directory) throws WeightLoadException {
        requireModel(model);
        JsonNode json = modelJson(model);
        try {
            Files.createDirectories(directory);
            for (JsonNode group : json.path("weightsManifest")) {
                for (JsonNode path : group.path("paths")) {
                    Path shard = directory.resolve(path.asText()).normalize();
                    if (!shard.startsWith(directory.normalize())) {
                        throw new CorruptWeightsException(
                                "nsfwjs model " + model + " names shard '" + path.asText() + "' outside its directory");
                    }
                    Files.write(shard, shard(model, path.asText()));
                }
            }
            Path modelJson = directory.resolve("model.json");
            JSON.writeValue(modelJson.toFile(), json);
            return modelJson;
        } catch (IOException e) {
            throw new CorruptWeightsException(
                    "could not write nsfwjs model " + model + " to " + directory + ": " + e.getMessage(), e);
        }
    }

    private void requireModel(String model) throws WeightsNotFoundException {
        if (!models().contains(model)) {
            throw new WeightsNotFoundException(
                    "nsfwjs tarball " + tarball + " has no model '" + model + "'; it has " + models());
        }
    }

    private JsonNode modelJson(String model) throws WeightLoadException {
        String path = model + "/" + MODEL_BUNDLE;
        String literal = exportedLiteral(path);
        try {
            return JSON.readTree(JsLiteral.toJson(literal));
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptWeightsException(
                    "nsfwjs bundle " + path + " does not export a JSON-like object literal: " + e.getMessage(), e);
        }
    }

    private byte[] shard(String model, String shardPath) throws WeightLoadException {
        String path = model + "/" + shardPath + BUNDLE_SUFFIX;
        if (!bundles.containsKey(path)) {
            throw new WeightsNotFoundException(
                    "nsfwjs tarball " + tarball + " has no shard bundle " + MODELS_DIR + path);
        }
        String literal = exportedLiteral(path);
        if (literal.length() < 2 || literal.charAt(0) != '"') {
            throw new CorruptWeightsException("nsfwjs shard bundle " + path + " does not export a base64 string");
        }
        try {
            return Base64.getDecoder().decode(literal.substring(1, literal.length() - 1));
        } catch (IllegalArgumentException e) {
            throw new CorruptWeightsException(
                    "nsfwjs shard bundle " + path + " is not valid base64: " + e.getMessage(), e);
        }
    }

    private String exportedLiteral(String path) throws CorruptWeightsException {
        String js = new String(bundles.get(path), StandardCharsets.UTF_8);
        int module = js.indexOf(MODULE_START);
        int exports = module < 0 ? -1 : js.indexOf(EXPORTS, module);
        if (exports < 0) {
            throw new CorruptWeightsException(
                    "nsfwjs bundle " + path + " has no browserify module with an exports assignment");
        }
        int start = exports + EXPORTS.length();
        try {
            return js.substring(start, JsLiteral.endOf(js, start));
        } catch (IllegalArgumentException e) {
            throw new CorruptWeightsException("nsfwjs bundle " + path + ": " + e.getMessage(), e);
        }
    }
}
