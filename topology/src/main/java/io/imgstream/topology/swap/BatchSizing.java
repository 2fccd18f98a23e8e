package io.imgstream.topology.swap;

import io.imgstream.model.preprocess.Preprocessing;
import java.util.Locale;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the batch size: a default for the ND4J backend when none is configured (a GPU wants bigger batches
 * than two CPU cores), then capped so that one forward pass fits the memory budget according to DL4J's own
 * memory report for the model at its input size.
 */
public final class BatchSizing {

    /** Batch size on CPU backends: the sweet spot measured for VGG16 on two cores. */
    public static final int CPU_DEFAULT = 8;
    /** Batch size on CUDA backends. */
    public static final int GPU_DEFAULT = 32;

    private static final Logger LOG = LoggerFactory.getLogger(BatchSizing.class);

    private BatchSizing() {}

    /**
     * @param configured     the configured size, or 0 to choose for the backend
     * @param network        the model's network
     * @param preprocessing  its input size
     * @param maxMemoryBytes the most one forward pass may need
     * @return the batch size, at least 1
     */
    public static int resolve(
            int configured, ComputationGraph network, Preprocessing preprocessing, long maxMemoryBytes) {
        boolean gpu = Nd4j.getBackend()
                .getClass()
                .getSimpleName()
                .toLowerCase(Locale.ROOT)
                .matches(".*(cuda|cublas).*");
        int wanted = configured > 0 ? configured : gpu ? GPU_DEFAULT : CPU_DEFAULT;
        MemoryReport report = network.getConfiguration()
                .getMemoryReport(InputType.convolutional(
                        preprocessing.height(), preprocessing.width(), preprocessing.channels()));
        int size = wanted;
        while (size > 1 && bytes(report, size) > maxMemoryBytes) {
            size--;
        }
        if (size < wanted) {
            LOG.warn(
                    "batch.size {} would need {} MiB per forward pass, over batch.memory.max.bytes={}; using {}",
                    wanted,
                    bytes(report, wanted) >> 20,
                    maxMemoryBytes,
                    size);
        }
        LOG.info(
                "Batch size {} on {} (estimated {} MiB per forward pass)",
                size,
                Nd4j.getBackend().getClass().getSimpleName(),
                bytes(report, size) >> 20);
        return size;
    }

    private static long bytes(MemoryReport report, int batch) {
        return report.getTotalMemoryBytes(batch, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
    }
}
