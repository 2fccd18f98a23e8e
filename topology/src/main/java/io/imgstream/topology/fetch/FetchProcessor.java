package io.imgstream.topology.fetch;

import io.imgstream.model.preprocess.ImageDecodeException;
import io.imgstream.model.preprocess.ImageDecoder;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.topology.deadletter.DeadLetters;
import io.imgstream.topology.deadletter.DeadLetters.Failure;
import io.imgstream.topology.metrics.ScorerMetrics;
import java.awt.image.BufferedImage;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Fetches and decodes the image of each {@link ImageTask}. Forwards {@link DecodedImage}s to
 * {@code nextNode}; references that are not allowed, missing, too large or undecodable go to
 * {@code deadLetterNode} with their reason.
 */
public final class FetchProcessor implements Processor<String, ImageTask, String, Object> {

    private final ImageFetcher fetcher;
    private final ImageDecoder decoder;
    private final ScorerMetrics metrics;
    private final String nextNode;
    private final String deadLetterNode;
    private ProcessorContext<String, Object> context;

    public FetchProcessor(ImageFetcher fetcher, ImageDecoder decoder, ScorerMetrics metrics, String nextNode,
                          String deadLetterNode) {
        this.fetcher = fetcher;
        this.decoder = decoder;
        this.metrics = metrics;
        this.nextNode = nextNode;
        this.deadLetterNode = deadLetterNode;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ImageTask> record) {
        ImageTask task = record.value();
        long started = System.nanoTime();
        try {
            BufferedImage image = decode(task, fetcher.fetch(task.ref()));
            long fetchNanos = System.nanoTime() - started;
            metrics.imageFetched(fetchNanos);
            double fetchMs = fetchNanos / 1e6;
            context.forward(record.withValue(new DecodedImage(task, image, fetchMs)), nextNode);
        } catch (FetchException e) {
            Failure failure = Failure.of(e.stage(), e.reason(), e.getMessage(), e.getCause() == null ? e : e.getCause());
            Object letter = DeadLetters.of(task.ref().getId(), task.ref().getUri(), task.rawValue(),
                    context.recordMetadata().orElse(null), failure, Instant.ofEpochMilli(context.currentSystemTimeMs()));
            context.forward(record.withValue(letter), deadLetterNode);
        }
    }

    private BufferedImage decode(ImageTask task, byte[] bytes) throws FetchException {
        String id = task.ref().getId();
        try {
            return decoder.decode(bytes);
        } catch (ImageDecodeException e) {
            throw new FetchException(DeadLetterStage.DECODE, reasonOf(e.reason()), "image " + id + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Codecs throw arbitrary runtime exceptions on hostile input; the input is at fault, not the scorer.
            throw new FetchException(DeadLetterStage.DECODE, DeadLetterReason.UNDECODABLE,
                    "image " + id + ": decoder failed on these bytes (" + e + "); check the file is a valid image", e);
        }
    }

    private static DeadLetterReason reasonOf(ImageDecodeException.Reason reason) {
        return switch (reason) {
            case EMPTY -> DeadLetterReason.EMPTY;
            case TOO_LARGE -> DeadLetterReason.TOO_LARGE;
            case TOO_MANY_PIXELS -> DeadLetterReason.TOO_MANY_PIXELS;
            case UNSUPPORTED_FORMAT -> DeadLetterReason.UNSUPPORTED_FORMAT;
            case UNDECODABLE -> DeadLetterReason.UNDECODABLE;
        };
    }
}
