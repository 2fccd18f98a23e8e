package io.imgstream.model.features;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.inference.ChannelsLastFastBase;
import io.imgstream.model.inference.FastBase;
import io.imgstream.model.inference.FastConvBase;
import io.imgstream.model.inference.UnsupportedGraphException;
import io.imgstream.model.preprocess.Preprocessing;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes bottleneck features: runs a {@link BaseNetwork}'s graph in inference mode over images, a
 * minibatch at a time, and returns one {@link BottleneckFeatures} per image in input order.
 *
 * <p>Layout: images go in and features come out channels first ({@code [c, h, w]}) whatever the
 * base's {@link BaseNetwork#dataFormat()}; a channels-last base gets a transposed copy of each
 * minibatch (inside the workspace) and its output is transposed back.
 *
 * <p>Memory: one input buffer of {@code batchSize} preprocessed images is allocated once and
 * overwritten for every minibatch ({@link Preprocessing#writeInto}); the network's output is placed
 * in an ND4J workspace that is reset, not reallocated, for every minibatch, so extraction allocates
 * no off-heap memory per image once the first minibatch has sized the workspace. The returned
 * vectors are Java arrays, independent of both.
 *
 * <p><strong>Fast path:</strong> when the base's graph is a plain chain of convolutions and max
 * poolings (VGG16, VGG19), the extractor runs it through {@link FastConvBase}, and a channels-last graph of
 * convolutions, depthwise convolutions, batch normalisations, ReLUs and residual sums (MobileNetV2) through
 * {@link ChannelsLastFastBase} (both raw libnd4j ops, on oneDNN with the {@code onednn} ND4J classifier)
 * instead of DL4J's layers, which is several times faster here and equal within float tolerance. The
 * weights are then copied once, when the extractor is built: later changes to the base's graph are not
 * seen, so build a new extractor after training it. {@link #usesFastPath()} tells which path runs; other
 * graphs run through DL4J as before.
 *
 * <p>Not thread-safe: the input buffer and the base's graph are shared by all calls. Use one
 * extractor per thread, each with its own base instance. ND4J keeps workspaces per thread:
 * {@link #close()} releases the calling thread's.
 */
public final class FeatureExtractor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureExtractor.class);

    /** Default images per minibatch: the sweet spot measured for VGG16 on two cores (ENVIRONMENT.md). */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private static final WorkspaceConfiguration OUTPUT_WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .build();

    private final BaseNetwork base;
    private final int batchSize;
    private final INDArray input;
    private final long[] featureShape;
    private final int featureLength;
    private final String workspaceId = "feature-extractor-" + UUID.randomUUID();
    private final FastBase fastPath;

    /**
     * Creates an extractor with {@value #DEFAULT_BATCH_SIZE} images per minibatch.
     *
     * @param base the base network; its graph is used, not copied (except by the fast path, see above)
     */
    public FeatureExtractor(BaseNetwork base) {
        this(base, DEFAULT_BATCH_SIZE);
    }

    /**
     * Creates an extractor.
     *
     * @param base      the base network; its graph is used, not copied (except by the fast path, see above)
     * @param batchSize images per forward pass; positive
     * @throws IllegalArgumentException if batchSize is not positive
     */
    public FeatureExtractor(BaseNetwork base, int batchSize) {
        this.base = Objects.requireNonNull(base, "base");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        this.batchSize = batchSize;
        this.featureShape = base.featureShape();
        this.featureLength = Math.toIntExact(BottleneckFeatures.length(featureShape));
        // The buffer outlives every workspace scope, so it must not stay attached to one a caller may have open.
        this.input = Nd4j.create(DataType.FLOAT, base.preprocessing().batchShape(batchSize))
                .detach();
        this.fastPath = fastPathFor(base).orElse(null);
    }

    /**
     * The fast path for a base's graph, if it has one: {@link FastConvBase} for a channels-first chain,
     * {@link ChannelsLastFastBase} for a channels-last graph; empty when the graph has something neither runs.
     * Each call copies the weights.
     */
    public static Optional<FastBase> fastPathFor(BaseNetwork base) {
        boolean channelsFirst = base.dataFormat() == CNN2DFormat.NCHW;
        try {
            FastBase fast = channelsFirst ? FastConvBase.from(base.graph()) : ChannelsLastFastBase.from(base.graph());
            LOG.info(
                    "Base {} runs on the {} fast path ({} layers)",
                    base.id(),
                    channelsFirst ? "conv-base" : "channels-last",
                    fast.layerNames().size());
            return Optional.of(fast);
        } catch (UnsupportedGraphException e) {
            LOG.info("Base {} runs through DL4J's layers: {}", base.id(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Tells whether features are computed by a {@link FastBase} (true) or by DL4J's layers.
     *
     * @return whether the fast path is used
     */
    public boolean usesFastPath() {
        return fastPath != null;
    }

    /** Images per forward pass. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the base this extractor runs.
     *
     * @return the base
     */
    public BaseNetwork base() {
        return base;
    }

    /**
     * Computes features for images.
     *
     * @param images images of any size and type; each is preprocessed with the base's {@link Preprocessing}
     * @return one vector per image, in input order, each of shape {@link BaseNetwork#featureShape()}
     * @throws IllegalStateException if the network's output does not have the base's declared feature shape
     */
    public List<BottleneckFeatures> extract(List<BufferedImage> images) {
        Objects.requireNonNull(images, "images");
        List<BottleneckFeatures> result = new ArrayList<>(images.size());
        Preprocessing preprocessing = base.preprocessing();
        ComputationGraph graph = base.graph();
        boolean channelsFirst = base.dataFormat() == CNN2DFormat.NCHW;
        for (int from = 0; from < images.size(); from += batchSize) {
            int size = Math.min(batchSize, images.size() - from);
            for (int i = 0; i < size; i++) {
                preprocessing.writeInto(images.get(from + i), input, i);
            }
            INDArray batch = size == batchSize
                    ? input
                    : input.get(
                            NDArrayIndex.interval(0, size), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            if (fastPath != null) {
                try (INDArray output = fastPath.features(batch)) {
                    addRows(output, size, result);
                }
                continue;
            }
            try (MemoryWorkspace workspace =
                    Nd4j.getWorkspaceManager().getAndActivateWorkspace(OUTPUT_WORKSPACE, workspaceId)) {
                INDArray output = channelsFirst
                        ? graph.output(false, workspace, batch)[0]
                        : toChannelsFirst(graph.output(
                                        false,
                                        workspace,
                                        batch.permute(0, 2, 3, 1).dup('c'))[0]);
                addRows(output, size, result);
            }
        }
        return result;
    }

    /**
     * Returns cached features where there are some and computes, caches and returns the rest; only
     * the missing images are loaded.
     *
     * @param imageIds ids of the images, used as cache keys with this extractor's base id
     * @param loader   loads an image by id; called once per cache miss, never for a hit
     * @param cache    where features are looked up and stored
     * @return one vector per id, in input order
     */
    public List<BottleneckFeatures> extract(
            List<String> imageIds, Function<String, BufferedImage> loader, FeatureCache cache) {
        Objects.requireNonNull(imageIds, "imageIds");
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(cache, "cache");
        BottleneckFeatures[] result = new BottleneckFeatures[imageIds.size()];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < imageIds.size(); i++) {
            BottleneckFeatures cached =
                    cache.get(new FeatureKey(imageIds.get(i), base.id())).orElse(null);
            if (cached == null) {
                missing.add(i);
            } else {
                result[i] = cached;
            }
        }
        // Load and compute a minibatch at a time so at most one minibatch of decoded images is held.
        for (int from = 0; from < missing.size(); from += batchSize) {
            List<Integer> chunk = missing.subList(from, Math.min(missing.size(), from + batchSize));
            List<BufferedImage> images =
                    chunk.stream().map(i -> loader.apply(imageIds.get(i))).toList();
            List<BottleneckFeatures> computed = extract(images);
            for (int i = 0; i < chunk.size(); i++) {
                int index = chunk.get(i);
                cache.put(new FeatureKey(imageIds.get(index), base.id()), computed.get(i));
                result[index] = computed.get(i);
            }
        }
        return Arrays.asList(result);
    }

    private void addRows(INDArray output, int size, List<BottleneckFeatures> result) {
        requireShape(output, size);
        float[][] rows =
                output.reshape('c', size, featureLength).castTo(DataType.FLOAT).toFloatMatrix();
        for (float[] row : rows) {
            result.add(new BottleneckFeatures(row, featureShape));
        }
    }

    /** Releases the calling thread's output workspace; the extractor can still be used afterwards. */
    @Override
    public void close() {
        if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(workspaceId)) {
            Nd4j.getWorkspaceManager()
                    .getWorkspaceForCurrentThread(OUTPUT_WORKSPACE, workspaceId)
                    .destroyWorkspace();
        }
    }

    /** Imported Keras/TF.js bases compute channels last; features are always stored channels first. */
    private static INDArray toChannelsFirst(INDArray output) {
        return output.rank() == 4 ? output.permute(0, 3, 1, 2) : output;
    }

    private void requireShape(INDArray output, int size) {
        long[] shape = output.shape();
        if (shape[0] != size || BottleneckFeatures.length(shape) != (long) size * featureLength) {
            throw new IllegalStateException(
                    "base " + base.id() + " produced activations of shape " + Arrays.toString(shape) + " for " + size
                            + " images, but declares features of shape " + Arrays.toString(featureShape));
        }
    }
}
