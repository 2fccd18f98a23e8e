package io.imgstream.it;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.avro.ImageRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * References to the demo images under ids a test chooses, so that a few files stand for as many images as a test
 * publishes, each with an id of its own.
 */
final class DemoImageIds {

    private DemoImageIds() {}

    /**
     * A reference to {@code files[i % files.size()]} whose id is {@code prefix-i-<the file's own id>} and whose source
     * is {@code prefix}.
     */
    static ImageRef numbered(List<Path> files, int i, String prefix) throws Exception {
        ImageRef ref = ImageRefs.of(files.get(i % files.size()), false, prefix, Instant.now());
        return ImageRef.newBuilder(ref)
                .setId(prefix + "-" + i + "-" + ref.getId())
                .build();
    }

    /** Publishes {@link #numbered} reference {@code i}, waiting for the broker's acknowledgement; returns its id. */
    static String publish(ImagePublisher publisher, List<Path> files, int i, String prefix) throws Exception {
        ImageRef ref = numbered(files, i, prefix);
        publisher.publish(ref).get();
        return ref.getId();
    }

    /** Publishes references {@code 0..count-1} one after the other; returns their ids in that order. */
    static List<String> publishAll(ImagePublisher publisher, List<Path> files, int count, String prefix)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(publish(publisher, files, i, prefix));
        }
        return ids;
    }
}
