package io.imgstream.it;

import io.imgstream.model.training.LabeledImages;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Labels of Fashion-MNIST test images as a labeling tool sends them: each image written as a PNG into a folder the
 * worker may fetch from, and a {@code file:} URI to it, keyed by the image's id ({@code t10k-INDEX}).
 */
final class FashionMnistFeedback {

    private FashionMnistFeedback() {}

    /** Writes test image {@code index} as {@code t10k-INDEX.png} (five digits) under {@code images}. */
    static Path writeImage(LabeledImages test, Path images, int index) throws IOException {
        Path file = images.resolve(String.format(Locale.ROOT, "t10k-%05d.png", index));
        ImageIO.write(test.image(index), "png", file.toFile());
        return file;
    }

    /** The id of test image {@code index}. */
    static String imageId(int index) {
        return "t10k-" + index;
    }

    /** Writes test image {@code index} and labels it {@code label}, any split. */
    static LabelFeedback label(LabeledImages test, Path images, int index, String label, String labeler)
            throws IOException {
        return LabelFeedback.newBuilder()
                .setImageId(imageId(index))
                .setUri(writeImage(test, images, index).toUri().toString())
                .setLabel(label)
                .setLabeler(labeler)
                .setTime(Instant.now())
                .setSplit(SplitHint.ANY)
                .build();
    }

    /**
     * Sends the labels of test images {@code from} to {@code to} (exclusive), each named by its class in {@code
     * classes}, and flushes them.
     *
     * @return when they were flushed
     */
    static Instant send(
            KafkaProducer<String, SpecificRecord> feedback,
            String topic,
            LabeledImages test,
            List<String> classes,
            Path images,
            int from,
            int to,
            String labeler)
            throws IOException {
        for (int i = from; i < to; i++) {
            LabelFeedback label = label(test, images, i, classes.get(test.label(i)), labeler);
            feedback.send(new ProducerRecord<>(topic, label.getImageId(), label));
        }
        feedback.flush();
        return Instant.now();
    }
}
