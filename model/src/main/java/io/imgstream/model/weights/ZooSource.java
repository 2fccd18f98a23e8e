package io.imgstream.model.weights;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.VGG16;

/**
 * Pretrained weights from the DL4J model zoo, through the zoo's own {@link ZooModel#initPretrained}: it
 * downloads the model zip once into {@code ~/.deeplearning4j/models/<model>/}, checks its checksum and
 * restores it.
 *
 * <p><strong>Needs internet access</strong> unless the zip is already in that cache. The zoo's downloader
 * has no timeouts (it would hang on a network that drops packets), so before downloading this source
 * opens a TCP connection to the download host with a short timeout, and fails fast with a {@link
 * ZooUnavailableException} that says what to do instead: load the same network from a local Keras
 * {@code .h5} ({@link KerasH5Source}), TF.js model ({@link TfjsLayersSource}) or DL4J zip ({@link
 * Dl4jZipSource}).
 *
 * <p>The weights sha256 is of the cached zoo zip. Immutable; {@link #load()} may be called from several
 * threads, but two concurrent first downloads of the same model race on the zoo's cache file.
 */
public final class ZooSource implements WeightSource {

    /** How long to wait for the download host before declaring the zoo unreachable. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final int HTTP_PORT = 80;
    private static final int HTTPS_PORT = 443;

    private final ZooModel<?> model;
    private final PretrainedType type;
    private final Duration connectTimeout;

    /**
     * @param model          the zoo model, e.g. {@code VGG16.builder().build()}
     * @param type           which pretrained weights, e.g. {@link PretrainedType#IMAGENET}
     * @param connectTimeout how long to wait for the download host; positive
     */
    public ZooSource(ZooModel<?> model, PretrainedType type, Duration connectTimeout) {
        this.model = Objects.requireNonNull(model, "model");
        this.type = Objects.requireNonNull(type, "type");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
        }
    }

    /** The zoo's VGG16 with ImageNet weights (a 500 MB download, full network with its top). */
    public static ZooSource vgg16() {
        return new ZooSource(VGG16.builder().build(), PretrainedType.IMAGENET, DEFAULT_CONNECT_TIMEOUT);
    }

    @Override
    public String description() {
        return "dl4j-zoo:" + model.modelName() + "/" + type;
    }

    /**
     * Loads the pretrained network, downloading it first unless it is cached.
     *
     * @throws WeightsNotFoundException if the zoo has no such pretrained weights for this model
     * @throws ZooUnavailableException  if the download host cannot be reached, or the download fails
     * @throws CorruptWeightsException  if the cached or downloaded file cannot be restored
     */
    @Override
    public LoadedNetwork load() throws WeightLoadException {
        if (!model.pretrainedAvailable(type)) {
            throw new WeightsNotFoundException("the DL4J zoo has no " + type + " weights for " + model.modelName());
        }
        String url = model.pretrainedUrl(type);
        File cached = new File(
                DL4JResources.getDirectory(ResourceType.ZOO_MODEL, model.modelName()), new File(url).getName());
        if (!cached.isFile()) {
            checkReachable(URI.create(url), cached);
        }
        Model restored;
        try {
            restored = model.initPretrained(type);
        } catch (IOException e) {
            throw new ZooUnavailableException(offlineMessage(url, cached, e.toString()), e);
        } catch (RuntimeException e) {
            throw new CorruptWeightsException(
                    description() + ": the zoo could not restore " + cached + ": " + e.getMessage(), e);
        }
        ComputationGraph graph = restored instanceof MultiLayerNetwork network
                ? network.toComputationGraph()
                : (ComputationGraph) restored;
        try {
            return new LoadedNetwork(graph, Digests.sha256Of(cached.toPath()), description());
        } catch (IOException e) {
            throw new CorruptWeightsException(description() + ": could not hash " + cached + ": " + e.getMessage(), e);
        }
    }

    private void checkReachable(URI url, File cached) throws ZooUnavailableException {
        int port =
                url.getPort() > 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? HTTPS_PORT : HTTP_PORT;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), port), Math.toIntExact(connectTimeout.toMillis()));
        } catch (IOException e) {
            throw new ZooUnavailableException(
                    offlineMessage(
                            url.toString(),
                            cached,
                            url.getHost() + ":" + port + " not reachable within " + connectTimeout.toMillis() + " ms: "
                                    + e),
                    e);
        }
    }

    private String offlineMessage(String url, File cached, String cause) {
        return "The DL4J zoo needs internet access to download " + model.modelName() + " " + type + " weights from "
                + url
                + " (" + cause + "). Without it, load the same network from a local file instead: a Keras .h5 "
                + "(KerasH5Source), a TF.js layers model.json with its shards (TfjsLayersSource) or a DL4J model zip "
                + "(Dl4jZipSource); or copy the zoo's zip to " + cached + ", where the zoo looks first.";
    }
}
