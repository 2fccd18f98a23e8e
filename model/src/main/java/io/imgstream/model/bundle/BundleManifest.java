package io.imgstream.model.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.preprocess.Preprocessing;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a model bundle is: everything needed to score with it and to trace where it came from.
 * Stored as {@code manifest.json} inside the bundle; {@link #toJson()} shows the exact form
 * ({@code createdAt} is an ISO-8601 string, {@code parentVersion} is {@code null} for a first
 * version).
 *
 * <p>Immutable and thread-safe; the lists and maps are unmodifiable copies and {@code metrics} is
 * sorted by name so the JSON is stable.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a field breaks the rules in the
 * parameter descriptions; {@code NullPointerException} if a field other than {@code
 * parentVersion} is null.
 *
 * @param formatVersion bundle format version; {@link #CURRENT_FORMAT_VERSION} for bundles written now
 * @param modelName     model name; letters, digits, {@code .}, {@code _}, {@code -}, starting with
 *                      a letter or digit, at most 100 characters (it becomes a directory name)
 * @param version       model version, 1 or higher; versions of one model are immutable
 * @param classes       class labels in the order of the network's output units; distinct, not blank
 * @param baseModelId   which base network the model was built on, e.g. {@code "vgg16-imagenet"}
 * @param preprocessing how images become network input, for training and scoring alike
 * @param createdAt     when the bundle was built
 * @param metrics       named evaluation results, e.g. {@code holdoutAccuracy}; finite values
 * @param parentVersion the version this one was trained from, lower than {@code version}, or {@code null}
 * @param bottleneckLayer the layer of the network whose activations are the base's bottleneck features (where the
 *                      head starts), or {@code null} when the network is not a base plus a head; scorers publish
 *                      these features for the training worker. Left out of the JSON when null, so manifests
 *                      written before it existed read and write back unchanged
 * @param lineage       what trained this version (the labeled set, the labels' time range, the recipe and seed), or
 *                      {@code null} for a bundle not trained from streamed labels; left out of the JSON when null
 * @param holdoutProfile how the version's predictions on the images it was evaluated on spread over confidence and
 *                      classes: the reference scorers measure drift against; {@code null} (left out of the JSON) when
 *                      the bundle was not evaluated
 */
public record BundleManifest(
        int formatVersion,
        String modelName,
        int version,
        List<String> classes,
        String baseModelId,
        Preprocessing preprocessing,
        Instant createdAt,
        Map<String, Double> metrics,
        Integer parentVersion,
        @JsonInclude(JsonInclude.Include.NON_NULL) String bottleneckLayer,
        @JsonInclude(JsonInclude.Include.NON_NULL) Lineage lineage,
        @JsonInclude(JsonInclude.Include.NON_NULL) PredictionProfile holdoutProfile) {

    /** The bundle format this code writes and the newest it reads. */
    public static final int CURRENT_FORMAT_VERSION = 1;

    /** Allowed model names. */
    public static final Pattern MODEL_NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private static final String FORMAT_VERSION_FIELD = "formatVersion";

    // Unknown fields are ignored so that additive changes need no new format version.
    private static final JsonMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public BundleManifest {
        if (formatVersion < 1) {
            throw new IllegalArgumentException("formatVersion must be 1 or higher, was " + formatVersion);
        }
        Objects.requireNonNull(modelName, "modelName");
        if (!MODEL_NAME_PATTERN.matcher(modelName).matches()) {
            throw new IllegalArgumentException("modelName '" + modelName + "' must match "
                    + MODEL_NAME_PATTERN.pattern() + " (it is used as a directory name)");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or higher, was " + version);
        }
        classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("classes must not be empty");
        }
        Set<String> seen = new HashSet<>();
        for (String label : classes) {
            if (label.isBlank()) {
                throw new IllegalArgumentException("class labels must not be blank: " + classes);
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException("class label '" + label + "' appears twice in " + classes);
            }
        }
        Objects.requireNonNull(baseModelId, "baseModelId");
        if (baseModelId.isBlank()) {
            throw new IllegalArgumentException("baseModelId must not be blank");
        }
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(createdAt, "createdAt");
        Map<String, Double> sorted = new TreeMap<>();
        Objects.requireNonNull(metrics, "metrics").forEach((name, value) -> {
            if (value == null || !Double.isFinite(value)) {
                throw new IllegalArgumentException("metric '" + name + "' must be a finite number, was " + value);
            }
            sorted.put(name, value);
        });
        metrics = Collections.unmodifiableMap(sorted);
        if (parentVersion != null && (parentVersion < 1 || parentVersion >= version)) {
            throw new IllegalArgumentException("parentVersion must be between 1 and " + (version - 1)
                    + " (below version " + version + "), was " + parentVersion);
        }
        if (bottleneckLayer != null && bottleneckLayer.isBlank()) {
            throw new IllegalArgumentException("bottleneckLayer must be null or a layer name, was blank");
        }
    }

    /**
     * Creates a manifest in the {@linkplain #CURRENT_FORMAT_VERSION current format}.
     *
     * @param modelName     model name
     * @param version       model version
     * @param classes       class labels in output-unit order
     * @param baseModelId   base network id
     * @param preprocessing input preprocessing
     * @param createdAt     build time
     * @param metrics       evaluation results
     * @param parentVersion version trained from, or {@code null}
     * @return the manifest
     */
    public static BundleManifest create(
            String modelName,
            int version,
            List<String> classes,
            String baseModelId,
            Preprocessing preprocessing,
            Instant createdAt,
            Map<String, Double> metrics,
            Integer parentVersion) {
        return new BundleManifest(
                        CURRENT_FORMAT_VERSION,
                        modelName,
                        version,
                        classes,
                        baseModelId,
                        preprocessing,
                        createdAt,
                        Map.of(),
                        parentVersion,
                        null,
                        null,
                        null)
                .withMetrics(metrics);
    }

    /**
     * Returns a copy that names the bottleneck layer.
     *
     * @param layer the network's layer whose activations are the base's features
     * @return a new manifest
     */
    public BundleManifest withBottleneckLayer(String layer) {
        return copy(metrics, Objects.requireNonNull(layer, "layer"), lineage, holdoutProfile);
    }

    /**
     * Returns a copy that says what trained the version.
     *
     * @param trainedFrom the labeled set, labels' time range, recipe and seed
     * @return a new manifest
     */
    public BundleManifest withLineage(Lineage trainedFrom) {
        return copy(metrics, bottleneckLayer, Objects.requireNonNull(trainedFrom, "trainedFrom"), holdoutProfile);
    }

    /**
     * Returns a copy with other metrics.
     *
     * @param newMetrics the metrics of the copy
     * @return a new manifest
     */
    public BundleManifest withMetrics(Map<String, Double> newMetrics) {
        return copy(newMetrics, bottleneckLayer, lineage, holdoutProfile);
    }

    /**
     * Returns a copy that records how the version's predictions spread on its evaluation images.
     *
     * @param profile the predictions' profile on the holdout (or test) images
     * @return a new manifest
     */
    public BundleManifest withHoldoutProfile(PredictionProfile profile) {
        return copy(metrics, bottleneckLayer, lineage, Objects.requireNonNull(profile, "profile"));
    }

    private BundleManifest copy(
            Map<String, Double> newMetrics,
            String newBottleneckLayer,
            Lineage newLineage,
            PredictionProfile newHoldoutProfile) {
        return new BundleManifest(
                formatVersion,
                modelName,
                version,
                classes,
                baseModelId,
                preprocessing,
                createdAt,
                newMetrics,
                parentVersion,
                newBottleneckLayer,
                newLineage,
                newHoldoutProfile);
    }

    /**
     * Serializes to indented JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "manifest of " + modelName + " v" + version + " could not be serialized", e);
        }
    }

    /**
     * Parses JSON written by {@link #toJson()}.
     *
     * @param json the JSON text
     * @return the manifest
     * @throws BundleFormatException if the text is not a manifest, breaks a field rule, or has a
     *                               format version newer than {@link #CURRENT_FORMAT_VERSION}
     */
    public static BundleManifest fromJson(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BundleFormatException("manifest is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new BundleFormatException("manifest must be a JSON object, found: " + abbreviate(json));
        }
        JsonNode formatVersion = tree.get(FORMAT_VERSION_FIELD);
        if (formatVersion == null || !formatVersion.canConvertToInt()) {
            throw new BundleFormatException(
                    "manifest has no integer '" + FORMAT_VERSION_FIELD + "'; this is not an imgstream bundle manifest");
        }
        if (formatVersion.intValue() > CURRENT_FORMAT_VERSION) {
            throw new BundleFormatException(
                    "bundle format version " + formatVersion.intValue() + " is newer than this imgstream reads (up to "
                            + CURRENT_FORMAT_VERSION + "); upgrade imgstream to load it");
        }
        try {
            return JSON.treeToValue(tree, BundleManifest.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Throwable root = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new BundleFormatException("manifest is invalid: " + root.getMessage(), e);
        }
    }

    private static String abbreviate(String text) {
        int max = 80;
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
