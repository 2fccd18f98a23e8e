package io.imgstream.model.bundle;

import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.preprocess.Preprocessing;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained classifier ready to score: a {@link BundleManifest} plus a DL4J {@link
 * ComputationGraph} with one image input and one softmax output over the manifest's classes.
 *
 * <p><strong>File format</strong> (format version 1): one zip file whose first entry is
 * {@value #MANIFEST_ENTRY} (UTF-8 JSON, see {@link BundleManifest#toJson()}), followed by
 * optionally {@value #CURVES_ENTRY} (the {@link TrainingCurves} as JSON), then {@value #NETWORK_ENTRY}
 * (the graph as written by DL4J's {@link ModelSerializer}, without the updater state unless asked).
 * Readers skip entries they don't know, so bundles without curves still load; unknown entries are
 * not kept when a read bundle is written again. Writing the same
 * bundle twice gives identical bytes (entry times come from {@link BundleManifest#createdAt()}), so
 * a store can tell a repeated save from a conflicting one by checksum.
 *
 * <p><strong>Not thread-safe:</strong> {@link #predict(INDArray)} runs the network, whose forward
 * pass keeps per-network state. Use one bundle per scoring thread (read it once per thread);
 * DL4J's internal lock would make shared callers queue rather than run in parallel.
 */
public final class ModelBundle {

    /** Name of the manifest entry; always the first entry of the zip. */
    public static final String MANIFEST_ENTRY = "manifest.json";

    /** Name of the entry that holds the DL4J network zip. */
    public static final String NETWORK_ENTRY = "network.zip";

    /** Name of the optional entry that holds the training curves; written before the network. */
    public static final String CURVES_ENTRY = "training-curves.json";

    private static final int MAX_MANIFEST_BYTES = 1024 * 1024;
    /** The largest network a bundle may carry, uncompressed: far above VGG16 with its updater (about 1.2 GB). */
    public static final long MAX_NETWORK_BYTES = 4L << 30;
    /**
     * The entries DL4J's {@code ModelSerializer} writes for a graph. Any other entry is refused before DL4J sees
     * the file: it would read {@code preprocessor.bin} (and older normalizer forms) with Java deserialization,
     * and a bundle must never be able to run code.
     */
    private static final Set<String> NETWORK_ENTRIES =
            Set.of("configuration.json", "coefficients.bin", "updaterState.bin", "noParams.marker");

    private static final int BATCH_RANK = 4;
    private static final String TEMP_PREFIX = "imgstream-network-";
    private static final String TEMP_SUFFIX = ".zip";

    private final BundleManifest manifest;
    private final ComputationGraph network;
    private final TrainingCurves curves;

    private ModelBundle(BundleManifest manifest, ComputationGraph network, TrainingCurves curves) {
        this.manifest = manifest;
        this.network = network;
        this.curves = curves;
    }

    /**
     * Pairs a manifest with an initialised network after checking that they fit: one input, one
     * output layer with softmax activation and as many units as the manifest has classes, and a
     * forward pass of one zero image shaped by {@link BundleManifest#preprocessing()} that yields
     * {@code [1, classes]}.
     *
     * @param manifest the manifest
     * @param network  an initialised graph; owned by the bundle from now on
     * @return the bundle
     * @throws BundleFormatException if the network does not fit the manifest
     * @throws IllegalArgumentException if the network is not initialised
     */
    public static ModelBundle of(BundleManifest manifest, ComputationGraph network) {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(network, "network");
        if (network.params() == null) {
            throw new IllegalArgumentException("network is not initialised; call init() before bundling it");
        }
        String name = manifest.modelName() + " v" + manifest.version();
        int inputs = network.getConfiguration().getNetworkInputs().size();
        int outputs = network.getNumOutputArrays();
        if (inputs != 1 || outputs != 1) {
            throw new BundleFormatException(name + ": the network has " + inputs + " inputs and " + outputs
                    + " outputs; a bundle needs exactly one image input and one class-probability output");
        }
        checkOutputLayer(name, manifest, network.getOutputLayer(0));
        String bottleneck = manifest.bottleneckLayer();
        if (bottleneck != null && network.getVertex(bottleneck) == null) {
            throw new BundleFormatException(name + ": the manifest names bottleneck layer '" + bottleneck
                    + "', which the network does not have");
        }
        checkForwardPass(name, manifest, network);
        return new ModelBundle(manifest, network, null);
    }

    /**
     * Returns a bundle with the same manifest and the same network (not a copy) that also carries
     * the given training curves.
     *
     * @param trainingCurves the curves to carry
     * @return the new bundle
     */
    public ModelBundle withCurves(TrainingCurves trainingCurves) {
        return new ModelBundle(manifest, network, Objects.requireNonNull(trainingCurves, "trainingCurves"));
    }

    /**
     * Returns the training curves, if the bundle carries them (bundles written before curves were
     * added, or built without them, don't).
     *
     * @return the curves, or empty
     */
    public Optional<TrainingCurves> curves() {
        return Optional.ofNullable(curves);
    }

    /**
     * Returns the manifest.
     *
     * @return the manifest
     */
    public BundleManifest manifest() {
        return manifest;
    }

    /**
     * Returns the network itself, not a copy: e.g. for fine-tuning or for scoring with other
     * options. Changing it changes this bundle.
     *
     * @return the network
     */
    public ComputationGraph network() {
        return network;
    }

    /**
     * Returns class probabilities for a preprocessed batch, in inference mode (no dropout).
     * Not thread-safe (see the class description).
     *
     * @param batch a batch made by {@link Preprocessing#toBatch} or {@link Preprocessing#writeInto}
     *              with this bundle's preprocessing: shape {@code [n, channels, height, width]}
     * @return {@code n} rows of {@code classes.size()} probabilities, each row summing to 1; column
     *         {@code j} is {@code manifest().classes().get(j)}
     * @throws IllegalArgumentException if the batch shape does not match the preprocessing
     */
    public float[][] predict(INDArray batch) {
        Objects.requireNonNull(batch, "batch");
        Preprocessing preprocessing = manifest.preprocessing();
        long[] shape = batch.shape();
        if (batch.rank() != BATCH_RANK
                || shape[0] < 1
                || shape[1] != preprocessing.channels()
                || shape[2] != preprocessing.height()
                || shape[3] != preprocessing.width()) {
            throw new IllegalArgumentException("batch has shape " + Arrays.toString(shape) + "; " + manifest.modelName()
                    + " v" + manifest.version() + " expects [n, " + preprocessing.channels() + ", "
                    + preprocessing.height() + ", " + preprocessing.width()
                    + "] (build it with the bundle's Preprocessing)");
        }
        return ClassOutputs.probabilities(
                network.outputSingle(false, batch), manifest.classes().size());
    }

    /**
     * Writes the bundle without the updater state; see {@link #writeTo(OutputStream, boolean)}.
     *
     * @param out where to write; not closed
     * @throws UncheckedIOException if writing fails
     */
    public void writeTo(OutputStream out) {
        writeTo(out, false);
    }

    /**
     * Writes the bundle as one zip file (see the class description for the format).
     *
     * @param out            where to write; flushed, not closed
     * @param includeUpdater whether to include the optimiser state, needed only to resume training
     *                       exactly where it stopped
     * @throws UncheckedIOException if writing fails
     */
    public void writeTo(OutputStream out, boolean includeUpdater) {
        Objects.requireNonNull(out, "out");
        LocalDateTime entryTime = LocalDateTime.ofInstant(manifest.createdAt(), ZoneOffset.UTC);
        Path networkFile = null;
        try {
            networkFile = Files.createTempFile(TEMP_PREFIX, TEMP_SUFFIX);
            ModelSerializer.writeModel(network, networkFile.toFile(), includeUpdater);
            ZipOutputStream zip = new ZipOutputStream(CloseShieldOutputStream.wrap(out));
            ZipEntry manifestEntry = new ZipEntry(MANIFEST_ENTRY);
            manifestEntry.setTimeLocal(entryTime);
            zip.putNextEntry(manifestEntry);
            zip.write(manifest.toJson().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            if (curves != null) {
                ZipEntry curvesEntry = new ZipEntry(CURVES_ENTRY);
                curvesEntry.setTimeLocal(entryTime);
                zip.putNextEntry(curvesEntry);
                zip.write(curves.toJson().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            ZipEntry networkEntry = new ZipEntry(NETWORK_ENTRY);
            networkEntry.setTimeLocal(entryTime);
            zip.putNextEntry(networkEntry);
            copyNormalised(networkFile, zip, entryTime);
            zip.closeEntry();
            zip.finish();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not write bundle " + manifest.modelName() + " v" + manifest.version(), e);
        } finally {
            deleteQuietly(networkFile);
        }
    }

    /**
     * Reads a bundle written by {@link #writeTo(OutputStream)}, without the updater state.
     *
     * @param in the zip bytes; read to the end of the network entry, not closed
     * @return the bundle, checked as by {@link #of}
     * @throws BundleFormatException if the bytes are not a valid bundle of a known format version
     * @throws UncheckedIOException  if reading the stream fails
     */
    public static ModelBundle readFrom(InputStream in) {
        return readFrom(in, false);
    }

    /**
     * Reads a bundle written by {@link #writeTo(OutputStream, boolean)}.
     *
     * @param in           the zip bytes; read to the end of the network entry, not closed
     * @param loadUpdater  whether to restore the optimiser state (if the bundle has one)
     * @return the bundle, checked as by {@link #of}
     * @throws BundleFormatException if the bytes are not a valid bundle of a known format version
     * @throws UncheckedIOException  if reading the stream fails
     */
    public static ModelBundle readFrom(InputStream in, boolean loadUpdater) {
        Objects.requireNonNull(in, "in");
        Path networkFile = null;
        try {
            ZipInputStream zip = new ZipInputStream(in);
            BundleManifest manifest = readManifestEntry(zip);
            TrainingCurves curves = null;
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (CURVES_ENTRY.equals(entry.getName())) {
                    curves = curvesOf(readBounded(zip, CURVES_ENTRY, MAX_MANIFEST_BYTES));
                } else if (NETWORK_ENTRY.equals(entry.getName())) {
                    networkFile = Files.createTempFile(TEMP_PREFIX, TEMP_SUFFIX);
                    copyBounded(zip, networkFile, manifest);
                    ModelBundle bundle = of(manifest, restore(manifest, networkFile, loadUpdater));
                    return curves == null ? bundle : bundle.withCurves(curves);
                }
            }
            throw new BundleFormatException("bundle " + manifest.modelName() + " v" + manifest.version() + " has no '"
                    + NETWORK_ENTRY + "' entry (the file is truncated or was not written by imgstream)");
        } catch (ZipException | EOFException e) {
            throw new BundleFormatException(
                    "not a readable bundle zip (" + e.getMessage() + "); the file is corrupt or truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read bundle", e);
        } finally {
            deleteQuietly(networkFile);
        }
    }

    /**
     * Reads only the manifest of a bundle, without deserializing the network: cheap enough to list
     * many bundles. It does not check that the rest of the bundle is readable.
     *
     * @param in the zip bytes; read to the end of the manifest entry, not closed
     * @return the manifest
     * @throws BundleFormatException if the bytes do not start with a valid manifest entry
     * @throws UncheckedIOException  if reading the stream fails
     */
    public static BundleManifest readManifest(InputStream in) {
        Objects.requireNonNull(in, "in");
        try {
            return readManifestEntry(new ZipInputStream(in));
        } catch (ZipException | EOFException e) {
            throw new BundleFormatException(
                    "not a readable bundle zip (" + e.getMessage() + "); the file is corrupt or truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read bundle manifest", e);
        }
    }

    private static BundleManifest readManifestEntry(ZipInputStream zip) throws IOException {
        ZipEntry first = zip.getNextEntry();
        if (first == null) {
            throw new BundleFormatException(
                    "not a bundle: no zip entries found (the data is empty, truncated or not a zip file)");
        }
        if (!MANIFEST_ENTRY.equals(first.getName())) {
            throw new BundleFormatException("not a bundle: the first zip entry is '" + first.getName()
                    + "'; a bundle starts with '" + MANIFEST_ENTRY + "'");
        }
        return BundleManifest.fromJson(readBounded(zip, MANIFEST_ENTRY, MAX_MANIFEST_BYTES));
    }

    private static void copyBounded(InputStream in, Path target, BundleManifest manifest) throws IOException {
        try (InputStream bounded = BoundedInputStream.builder()
                        .setInputStream(in)
                        .setMaxCount(MAX_NETWORK_BYTES + 1)
                        .setPropagateClose(false)
                        .get();
                OutputStream out = Files.newOutputStream(target)) {
            if (bounded.transferTo(out) > MAX_NETWORK_BYTES) {
                throw new BundleFormatException("bundle " + manifest.modelName() + " v" + manifest.version() + ": '"
                        + NETWORK_ENTRY + "' is larger than " + MAX_NETWORK_BYTES + " bytes; refused unread");
            }
        }
    }

    private static ComputationGraph restore(BundleManifest manifest, Path networkFile, boolean loadUpdater) {
        requireOnlyNetworkEntries(manifest, networkFile);
        try {
            return ModelSerializer.restoreComputationGraph(networkFile.toFile(), loadUpdater);
        } catch (IOException | RuntimeException e) {
            throw new BundleFormatException(
                    "bundle " + manifest.modelName() + " v" + manifest.version() + ": '" + NETWORK_ENTRY
                            + "' is not a readable DL4J ComputationGraph (" + e + ")",
                    e);
        }
    }

    private static void requireOnlyNetworkEntries(BundleManifest manifest, Path networkFile) {
        try (ZipFile network = new ZipFile(networkFile.toFile())) {
            Enumeration<? extends ZipEntry> entries = network.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!NETWORK_ENTRIES.contains(name)) {
                    throw new BundleFormatException("bundle " + manifest.modelName() + " v" + manifest.version()
                            + ": its network carries '" + name + "', which imgstream never writes (DL4J would read "
                            + "it with Java deserialization); refused unread. A network may hold only "
                            + new TreeSet<>(NETWORK_ENTRIES));
                }
            }
        } catch (IOException e) {
            throw new BundleFormatException(
                    "bundle " + manifest.modelName() + " v" + manifest.version() + ": '" + NETWORK_ENTRY
                            + "' is not a readable DL4J ComputationGraph (not a zip file: " + e.getMessage() + ")",
                    e);
        }
    }

    private static void checkOutputLayer(String name, BundleManifest manifest, Layer outputLayer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = outputLayer.conf().getLayer();
        int classes = manifest.classes().size();
        IActivation activation = null;
        if (conf instanceof BaseLayer base) {
            activation = base.getActivationFn();
        } else if (conf instanceof ActivationLayer activationLayer) {
            activation = activationLayer.getActivationFn();
        }
        long units = conf instanceof FeedForwardLayer feedForward ? feedForward.getNOut() : 0;
        // Two classes may also be one sigmoid unit, as Keras's binary heads (and HeadBuilder's) are.
        if (classes == 2 && units == 1 && activation instanceof ActivationSigmoid) {
            return;
        }
        if (units > 0 && units != classes) {
            throw new BundleFormatException(name + ": the network's output layer '" + conf.getLayerName() + "' has "
                    + units + " units but the manifest lists " + classes + " classes " + manifest.classes()
                    + "; the class list and the head must match");
        }
        if (!(activation instanceof ActivationSoftmax)) {
            throw new BundleFormatException(name + ": the network's output layer '" + conf.getLayerName()
                    + "' has activation " + activation + "; a bundle needs softmax (or, for two classes, one sigmoid "
                    + "unit) so that predictions are class probabilities");
        }
    }

    private static void checkForwardPass(String name, BundleManifest manifest, ComputationGraph network) {
        Preprocessing preprocessing = manifest.preprocessing();
        INDArray probe = Nd4j.zeros(network.getConfiguration().getDataType(), preprocessing.batchShape(1));
        long[] outputShape;
        try {
            outputShape = network.outputSingle(false, probe).shape();
        } catch (RuntimeException e) {
            throw new BundleFormatException(
                    name + ": the network does not accept input of shape "
                            + Arrays.toString(probe.shape()) + " made by " + preprocessing + " (" + e.getMessage()
                            + "); the preprocessing and the network's input layer must match",
                    e);
        }
        long classes = manifest.classes().size();
        boolean binarySigmoid = classes == 2 && outputShape.length == 2 && outputShape[1] == 1;
        if (outputShape.length != 2 || (outputShape[1] != classes && !binarySigmoid)) {
            throw new BundleFormatException(name + ": the network's output for one image has shape "
                    + Arrays.toString(outputShape) + " but the manifest lists " + classes + " classes "
                    + manifest.classes() + "; expected [1, " + classes + "]");
        }
    }

    /**
     * Copies a ModelSerializer zip entry by entry, uncompressed and with fixed times: the outer
     * entry compresses once, and equal networks give equal bytes.
     */
    private static void copyNormalised(Path networkFile, OutputStream target, LocalDateTime entryTime)
            throws IOException {
        try (ZipFile source = new ZipFile(networkFile.toFile())) {
            ZipOutputStream inner = new ZipOutputStream(CloseShieldOutputStream.wrap(target));
            Enumeration<? extends ZipEntry> entries = source.entries();
            while (entries.hasMoreElements()) {
                ZipEntry original = entries.nextElement();
                ZipEntry copy = new ZipEntry(original.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(original.getSize());
                copy.setCompressedSize(original.getSize());
                copy.setCrc(original.getCrc());
                copy.setTimeLocal(entryTime);
                inner.putNextEntry(copy);
                try (InputStream data = source.getInputStream(original)) {
                    data.transferTo(inner);
                }
                inner.closeEntry();
            }
            inner.finish();
        }
    }

    private static String readBounded(InputStream in, String entryName, int maxBytes) throws IOException {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new BundleFormatException("'" + entryName + "' is larger than " + maxBytes
                    + " bytes; it should be a few kilobytes (the bundle is corrupt or hostile)");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover temp file is harmless and must not hide the real outcome.
                file.toFile().deleteOnExit();
            }
        }
    }

    private static TrainingCurves curvesOf(String json) {
        try {
            return TrainingCurves.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new BundleFormatException("'" + CURVES_ENTRY + "' is invalid: " + e.getMessage(), e);
        }
    }
}
