package io.imgstream.labeling.progress;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The labeled set as the feedback topic holds it: each image's latest label, and how many images each class has.
 * A later label of an image replaces the earlier, as it does for the training worker. Thread-safe.
 */
public final class LabeledSet {

    private final Map<String, String> labelByImage = new HashMap<>();
    private final Map<String, Integer> imagesByClass = new HashMap<>();

    /**
     * Records an image's label, replacing its earlier one.
     *
     * @return whether the set changed (false if the image already had this label)
     */
    public synchronized boolean record(String imageId, String label) {
        String earlier = labelByImage.put(imageId, label);
        if (label.equals(earlier)) {
            return false;
        }
        if (earlier != null) {
            imagesByClass.computeIfPresent(earlier, (name, count) -> count == 1 ? null : count - 1);
        }
        imagesByClass.merge(label, 1, Integer::sum);
        return true;
    }

    /** Whether the image has a label. */
    public synchronized boolean contains(String imageId) {
        return labelByImage.containsKey(imageId);
    }

    /** How many images each class has, by class name. */
    public synchronized SortedMap<String, Integer> imagesByClass() {
        return new TreeMap<>(imagesByClass);
    }

    /** How many images have a label. */
    public synchronized int size() {
        return labelByImage.size();
    }
}
