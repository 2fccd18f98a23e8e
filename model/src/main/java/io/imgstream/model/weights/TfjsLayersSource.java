package io.imgstream.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasSequentialModel;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A TF.js <em>layers</em> model: a {@code model.json} (Keras topology + weights manifest) and its binary
 * weight shards, as written by {@code tensorflowjs_converter} or {@code model.save()}.
 *
 * <p>The topology goes through DL4J's {@link KerasModel} import, with two rewrites TF.js needs: the
 * {@code keras_version} and {@code backend} fields of {@code modelTopology} are copied into its
 * {@code model_config} (without them DL4J assumes Keras 1 and fails with a misleading "Unsupported layer
 * type Conv2D"; tfjs's own {@code "tfjs-layers x.y"} / {@code "tensor_flow.js"} become Keras 2 /
 * {@code tensorflow}), and integer ReLU {@code max_value}s become floats (DL4J casts them to Double). Weights
 * are set through DL4J's own Keras layer weight setters, so kernels end up in DL4J's layout exactly as
 * with an {@code .h5} import. No HDF5 is involved.
 *
 * <p>Weight encodings: float32, float16, int32, and the quantized uint8/uint16 forms, dequantized as
 * {@code q * scale + min} in double and stored as float32 (the arithmetic TF.js uses). The
 * {@linkplain LoadedNetwork#weightsSha256() weights sha256} is over the shard bytes in manifest order,
 * so the same weights give the same hash whether they come from {@code .bin} files or an nsfwjs bundle.
 *
 * <p>TF.js <em>graph</em> models (frozen TensorFlow graphs, {@code "format": "graph-model"}) have no
 * Keras topology and fail with {@link UnsupportedModelException}.
 *
 * <p>Immutable and thread-safe; every {@link #load()} builds a new graph.
 */
public final class TfjsLayersSource implements WeightSource {

    /** TF.js layers models are always Keras 2 topologies; used when a model.json gives no Keras version. */
    static final String DEFAULT_KERAS_VERSION = "2.2.4";

    static final String DEFAULT_BACKEND = "tensorflow";

    private static final Pattern KERAS_VERSION = Pattern.compile("\\d+\\..*");
    private static final String THEANO_BACKEND = "theano";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRAPH_MODEL_FORMAT = "graph-model";
    private static final String SEQUENTIAL = "Sequential";
    private static final String MAX_VALUE = "max_value";
    private static final char SCOPE_SEPARATOR = '/';

    /** Reads and parses the model.json; returns a tree the caller may modify. */
    @FunctionalInterface
    interface ModelJsonReader {
        JsonNode read() throws WeightLoadException;
    }

    /** Reads one shard named by a manifest path. */
    @FunctionalInterface
    interface ShardReader {
        byte[] read(String path) throws WeightLoadException;
    }

    private final String description;
    private final ModelJsonReader modelJson;
    private final ShardReader shards;

    TfjsLayersSource(String description, ModelJsonReader modelJson, ShardReader shards) {
        this.description = Objects.requireNonNull(description, "description");
        this.modelJson = Objects.requireNonNull(modelJson, "modelJson");
        this.shards = Objects.requireNonNull(shards, "shards");
    }

    /**
     * A model stored as files: {@code model.json} with its shards next to it, as the manifest names them.
     * Nothing is read until {@link #load()}.
     *
     * @param modelJson path of the {@code model.json} file
     */
    public static TfjsLayersSource fromModelJson(Path modelJson) {
        Path directory = modelJson.toAbsolutePath().getParent();
        return new TfjsLayersSource(
                "tfjs:" + modelJson, () -> readModelJson(modelJson), path -> readShard(directory, path));
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Imports the model. Every call reads the shards again and returns a new graph.
     *
     * @throws WeightsNotFoundException  if model.json or a shard is missing
     * @throws CorruptWeightsException   if the JSON, the manifest or a shard's size is inconsistent, or a
     *                                   weight names a layer the topology does not have
     * @throws UnsupportedModelException if it is a TF.js graph model or DL4J cannot import a layer
     */
    @Override
    public LoadedNetwork load() throws WeightLoadException {
        JsonNode root = modelJson.read();
        JsonNode topology = root.path("modelTopology");
        if (GRAPH_MODEL_FORMAT.equals(root.path("format").asText()) || topology.has("node")) {
            throw new UnsupportedModelException(description + " is not importable: TF.js graph model (a frozen "
                    + "TensorFlow graph without Keras layers); only TF.js layers models can be imported");
        }
        if (!topology.isObject()) {
            throw new CorruptWeightsException(
                    description + " has no modelTopology object: not a TF.js layers model.json");
        }
        ObjectNode kerasJson = kerasModelJson((ObjectNode) topology);
        MessageDigest sha256 = Digests.sha256();
        Map<String, Map<String, INDArray>> weightsByLayer = readWeights(root.path("weightsManifest"), sha256);
        ComputationGraph graph = importGraph(kerasJson, weightsByLayer);
        return new LoadedNetwork(graph, Digests.hex(sha256), description);
    }

    private static ObjectNode kerasModelJson(ObjectNode topology) {
        JsonNode config = topology.has("model_config") ? topology.get("model_config") : topology;
        ObjectNode keras = (ObjectNode) config.deepCopy();
        // Models converted from Keras carry Keras's own version ("2.2.4"); models saved by tfjs itself say
        // "tfjs-layers 4.22.0" and "tensor_flow.js", which DL4J cannot parse. Both are Keras 2, channels-last.
        String kerasVersion = topology.path("keras_version").asText("");
        keras.put(
                "keras_version", KERAS_VERSION.matcher(kerasVersion).matches() ? kerasVersion : DEFAULT_KERAS_VERSION);
        String backend = topology.path("backend").asText("");
        keras.put("backend", THEANO_BACKEND.equals(backend) ? backend : DEFAULT_BACKEND);
        floatMaxValues(keras);
        return keras;
    }

    private static void floatMaxValues(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode maxValue = object.get(MAX_VALUE);
            if (maxValue != null && maxValue.isIntegralNumber()) {
                object.set(MAX_VALUE, DoubleNode.valueOf(maxValue.asDouble()));
            }
        }
        for (JsonNode child : node) {
            floatMaxValues(child);
        }
    }

    private Map<String, Map<String, INDArray>> readWeights(JsonNode manifest, MessageDigest sha256)
            throws WeightLoadException {
        if (!manifest.isArray()) {
            throw new CorruptWeightsException(description + " has no weightsManifest array");
        }
        Map<String, Map<String, INDArray>> byLayer = new LinkedHashMap<>();
        for (JsonNode group : manifest) {
            ByteBuffer bytes = readGroup(group.path("paths"), sha256);
            for (JsonNode spec : group.path("weights")) {
                String name = spec.path("name").asText();
                long[] shape = JSON.convertValue(spec.path("shape"), long[].class);
                INDArray values = Nd4j.create(WeightEncoding.decode(description, spec, shape, bytes), shape, 'c');
                int slash = name.lastIndexOf(SCOPE_SEPARATOR);
                if (slash <= 0) {
                    throw new CorruptWeightsException(description + ": weight '" + name + "' is not named layer/param");
                }
                byLayer.computeIfAbsent(name.substring(0, slash), k -> new HashMap<>())
                        .put(name.substring(slash + 1), values);
            }
            if (bytes.hasRemaining()) {
                throw new CorruptWeightsException(description + ": shards " + group.path("paths") + " hold "
                        + bytes.remaining() + " bytes more than their weights need");
            }
        }
        return byLayer;
    }

    private ByteBuffer readGroup(JsonNode paths, MessageDigest sha256) throws WeightLoadException {
        List<byte[]> parts = new ArrayList<>();
        int total = 0;
        for (JsonNode path : paths) {
            byte[] part = shards.read(path.asText());
            sha256.update(part);
            parts.add(part);
            total = Math.addExact(total, part.length);
        }
        ByteBuffer group = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        parts.forEach(group::put);
        return group.flip();
    }

    private ComputationGraph importGraph(ObjectNode kerasJson, Map<String, Map<String, INDArray>> weightsByLayer)
            throws WeightLoadException {
        try (KerasModelBuilder builder = new KerasModelBuilder(new KerasModelConfiguration())
                .modelJson(JSON.writeValueAsString(kerasJson))
                .enforceTrainingConfig(false)) {
            boolean sequential = SEQUENTIAL.equals(kerasJson.path("class_name").asText());
            KerasModel model = sequential ? builder.buildSequential() : builder.buildModel();
            setWeights(model.getLayers(), weightsByLayer);
            return sequential
                    ? ((KerasSequentialModel) model).getMultiLayerNetwork(true).toComputationGraph()
                    : model.getComputationGraph(true);
        } catch (UnsupportedKerasConfigurationException e) {
            throw new UnsupportedModelException(description + " cannot be imported into DL4J: " + e.getMessage(), e);
        } catch (InvalidKerasConfigurationException | IOException | RuntimeException e) {
            throw new CorruptWeightsException(
                    description + " is not a valid Keras model for DL4J: " + e.getMessage(), e);
        }
    }

    private void setWeights(Map<String, KerasLayer> layers, Map<String, Map<String, INDArray>> weightsByLayer)
            throws InvalidKerasConfigurationException, CorruptWeightsException {
        for (Map.Entry<String, Map<String, INDArray>> entry : weightsByLayer.entrySet()) {
            KerasLayer layer = layers.get(entry.getKey());
            if (layer == null) {
                throw new CorruptWeightsException(description + ": the manifest has weights for layer '"
                        + entry.getKey() + "', which the topology does not have");
            }
            layer.setWeights(entry.getValue());
        }
    }

    private static byte[] readShard(Path directory, String path) throws WeightLoadException {
        Path shard = directory.resolve(path).normalize();
        if (!shard.startsWith(directory)) {
            throw new CorruptWeightsException("shard path '" + path + "' points outside " + directory);
        }
        try {
            return Files.readAllBytes(shard);
        } catch (NoSuchFileException e) {
            throw new WeightsNotFoundException("TF.js weight shard " + shard + " does not exist", e);
        } catch (IOException e) {
            throw new CorruptWeightsException(
                    "TF.js weight shard " + shard + " could not be read: " + e.getMessage(), e);
        }
    }

    private static JsonNode readModelJson(Path modelJson) throws WeightLoadException {
        try {
            return JSON.readTree(modelJson.toFile());
        } catch (FileNotFoundException e) {
            throw new WeightsNotFoundException("TF.js model.json " + modelJson + " does not exist", e);
        } catch (IOException e) {
            throw new CorruptWeightsException(
                    "TF.js model.json " + modelJson + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
