package io.imgstream.labeling.queue;

import io.imgstream.schemas.avro.LabelRequest;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;

/**
 * Images waiting for a label, one entry per image id (the newest request wins), most useful first by an
 * {@link Uncertainty}, with a seeded share of random picks. Bounded: past its size the least useful entry (of equals,
 * the oldest) is dropped and counted. Thread-safe.
 */
public final class LabelQueue {

    /** One waiting image: its request, how useful its label is, and when it arrived, for ties. */
    private record Entry(LabelRequest request, double usefulness, long arrival) {}

    private static final Comparator<Entry> MOST_USEFUL_FIRST = Comparator.comparingDouble(Entry::usefulness)
            .reversed()
            .thenComparing(Comparator.comparingLong(Entry::arrival).reversed());

    private final Uncertainty uncertainty;
    private final double randomShare;
    private final Random random;
    private final int maxImages;
    private final Map<String, Entry> byImage = new HashMap<>();
    private final TreeSet<Entry> order = new TreeSet<>(MOST_USEFUL_FIRST);
    private long arrivals;
    private long dropped;

    /**
     * @param uncertainty how usefulness is measured
     * @param randomShare share of {@link #take()} calls that pick at random, in [0, 1]
     * @param seed        seed of the random picks
     * @param maxImages   most images held, at least 1
     */
    public LabelQueue(Uncertainty uncertainty, double randomShare, long seed, int maxImages) {
        if (!(randomShare >= 0 && randomShare <= 1)) {
            throw new IllegalArgumentException("random share " + randomShare + " is not in [0, 1]");
        }
        if (maxImages < 1) {
            throw new IllegalArgumentException("a queue of " + maxImages + " images holds nothing");
        }
        this.uncertainty = uncertainty;
        this.randomShare = randomShare;
        this.random = new Random(seed);
        this.maxImages = maxImages;
    }

    /**
     * Queues a request, replacing the image's earlier one unless that one is newer.
     *
     * @return whether the request is now in the queue (false if a newer one is, or it was dropped at once as the
     *     least useful of a full queue)
     */
    public synchronized boolean offer(LabelRequest request) {
        String id = request.getImageId().toString();
        Entry held = byImage.get(id);
        if (held != null) {
            if (held.request().getRequestedTime().isAfter(request.getRequestedTime())) {
                return false;
            }
            order.remove(held);
        }
        Entry entry = new Entry(request, uncertainty.of(request.getTopK()), arrivals++);
        byImage.put(id, entry);
        order.add(entry);
        if (order.size() > maxImages) {
            Entry least = order.pollLast();
            byImage.remove(least.request().getImageId().toString());
            dropped++;
            return least != entry;
        }
        return true;
    }

    /**
     * Takes the next image to offer: the most useful, or with the random share's odds one picked uniformly.
     *
     * @return the image's request, or empty when none waits
     */
    public synchronized Optional<LabelRequest> take() {
        if (order.isEmpty()) {
            return Optional.empty();
        }
        // Drawn every time, so the sequence of picks depends on the seed alone.
        boolean randomPick = random.nextDouble() < randomShare;
        Entry picked;
        if (randomPick) {
            Iterator<Entry> entries = order.iterator();
            for (int skip = random.nextInt(order.size()); skip > 0; skip--) {
                entries.next();
            }
            picked = entries.next();
        } else {
            picked = order.first();
        }
        order.remove(picked);
        byImage.remove(picked.request().getImageId().toString());
        return Optional.of(picked.request());
    }

    /** The image's waiting request, if any, left in the queue. */
    public synchronized Optional<LabelRequest> peek(String imageId) {
        return Optional.ofNullable(byImage.get(imageId)).map(Entry::request);
    }

    /** Removes the image's request, if one waits; e.g. when someone labeled it elsewhere. */
    public synchronized boolean remove(String imageId) {
        Entry held = byImage.remove(imageId);
        if (held != null) {
            order.remove(held);
        }
        return held != null;
    }

    /** How many images wait. */
    public synchronized int size() {
        return order.size();
    }

    /** How many requests were dropped because the queue was full. */
    public synchronized long dropped() {
        return dropped;
    }
}
