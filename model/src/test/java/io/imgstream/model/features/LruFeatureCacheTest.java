package io.imgstream.model.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.base.BaseModelId;
import org.junit.jupiter.api.Test;

class LruFeatureCacheTest {

    private static final BaseModelId BASE = new BaseModelId("vgg16", "ab".repeat(32));
    private static final BaseModelId OTHER_BASE = new BaseModelId("vgg16", "cd".repeat(32));

    private static BottleneckFeatures features(float value) {
        return new BottleneckFeatures(new float[] {value, value}, new long[] {2});
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedEntryWhenFull() {
        LruFeatureCache cache = new LruFeatureCache(2);
        cache.put(new FeatureKey("a", BASE), features(1));
        cache.put(new FeatureKey("b", BASE), features(2));
        cache.get(new FeatureKey("a", BASE));

        cache.put(new FeatureKey("c", BASE), features(3));

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(new FeatureKey("b", BASE)))
                .as("b was used least recently")
                .isEmpty();
        assertThat(cache.get(new FeatureKey("a", BASE))).contains(features(1));
        assertThat(cache.get(new FeatureKey("c", BASE))).contains(features(3));
    }

    @Test
    void shouldKeepFeaturesOfTheSameImageFromDifferentBasesApart() {
        LruFeatureCache cache = new LruFeatureCache(10);
        cache.put(new FeatureKey("a", BASE), features(1));
        cache.put(new FeatureKey("a", OTHER_BASE), features(2));

        assertThat(cache.get(new FeatureKey("a", BASE))).contains(features(1));
        assertThat(cache.get(new FeatureKey("a", OTHER_BASE))).contains(features(2));
    }

    @Test
    void shouldRefuseFeaturesWhoseShapeDoesNotMatchTheirValues() {
        assertThatThrownBy(() -> new BottleneckFeatures(new float[3], new long[] {2, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 4 values, got 3");
    }
}
