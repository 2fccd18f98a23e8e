package io.imgstream.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.images.ImageLoader;
import io.imgstream.model.augment.AugmentationConfig;
import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.head.ClassWeighting;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadPooling;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.training.base.BasePreset;
import io.imgstream.training.base.BaseSpec;
import io.imgstream.training.refit.FineTuning;
import io.imgstream.training.rollout.RolloutPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class TrainingWorkerConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> props = new HashMap<>();
        props.put(TrainingWorkerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:19092");
        props.put(TrainingWorkerConfig.REGISTRY_URL_CONFIG, "http://127.0.0.1:18081");
        props.put(TrainingWorkerConfig.MODEL_NAME_CONFIG, "pets");
        props.put(TrainingWorkerConfig.BASE_WEIGHTS_CONFIG, "/models/vgg16.h5");
        return props;
    }

    @Test
    void shouldAverageFeatureMapsLargerThanVgg16sUnlessToldOtherwise() {
        long[] intermediate = {576, 14, 14};
        Map<String, Object> flatten = minimal();
        flatten.put(TrainingWorkerConfig.HEAD_POOLING_CONFIG, "FLATTEN");

        Map<String, Object> slow = minimal();
        slow.put(TrainingWorkerConfig.HEAD_LEARNING_RATE_CONFIG, 2e-5);

        HeadConfig auto = new TrainingWorkerConfig(minimal()).head(intermediate);
        assertThat(auto.pooling()).isEqualTo(HeadPooling.GLOBAL_AVERAGE);
        assertThat(auto.learningRate()).as("averaged features").isEqualTo(1e-3);
        assertThat(new TrainingWorkerConfig(slow).head(intermediate).learningRate())
                .as("set by the user")
                .isEqualTo(2e-5);
        assertThat(new TrainingWorkerConfig(flatten).head(intermediate).pooling())
                .isEqualTo(HeadPooling.FLATTEN);
        assertThat(new TrainingWorkerConfig(flatten).head(intermediate).learningRate())
                .isEqualTo(2e-5);
    }

    @Test
    void shouldBuildALinearHeadOverAGridOfALargeMapWhenAskedFor() {
        Map<String, Object> linear = minimal();
        linear.put(TrainingWorkerConfig.HEAD_KIND_CONFIG, "LINEAR");
        Map<String, Object> averaged = new HashMap<>(linear);
        averaged.put(TrainingWorkerConfig.HEAD_POOLING_CONFIG, "GLOBAL_AVERAGE");
        Map<String, Object> unknown = minimal();
        unknown.put(TrainingWorkerConfig.HEAD_KIND_CONFIG, "WIDE");

        HeadConfig head = new TrainingWorkerConfig(linear).head(new long[] {576, 14, 14});

        assertThat(head.isLinear()).isTrue();
        assertThat(head.pooling()).isEqualTo(HeadPooling.GRID_AVERAGE);
        assertThat(new TrainingWorkerConfig(linear).head(new long[] {512, 4, 4}).pooling())
                .isEqualTo(HeadPooling.FLATTEN);
        assertThat(new TrainingWorkerConfig(averaged)
                        .head(new long[] {576, 14, 14})
                        .pooling())
                .isEqualTo(HeadPooling.GLOBAL_AVERAGE);
        assertThatThrownBy(() -> new TrainingWorkerConfig(unknown))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TrainingWorkerConfig.HEAD_KIND_CONFIG);
    }

    @Test
    void shouldDefaultToTheSeedsRecipeOnVgg16() {
        TrainingWorkerConfig config = new TrainingWorkerConfig(minimal());

        assertThat(config.base().preset()).isEqualTo(BasePreset.VGG16);
        assertThat(config.base().preprocessing().scaling()).isEqualTo(PixelScaling.CAFFE_BGR);
        assertThat(config.base().preprocessing().height()).isEqualTo(150);
        HeadConfig head = config.head(new long[] {512, 4, 4});
        assertThat(head.pooling()).isEqualTo(HeadPooling.FLATTEN);
        assertThat(head.hiddenUnits()).isEqualTo(256);
        assertThat(head.dropoutRate()).isEqualTo(0.5);
        assertThat(head.learningRate()).isEqualTo(2e-5);
        assertThat(config.headTraining().classWeighting()).isEqualTo(ClassWeighting.BALANCED);
        assertThat(config.refitTrigger().everyLabels()).isEqualTo(50);
        assertThat(config.publishStatus()).isEqualTo(ModelStatus.PROMOTED);
        assertThat(config.streamsProperties(() -> {}, (topic, letter) -> new byte[0])
                        .getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .isEqualTo(StreamsConfig.AT_LEAST_ONCE);
    }

    @Test
    void shouldRefitTheHeadAloneUnlessToldToFineTuneAndThenFineTuneAsConfigured() {
        ImageLoader loader = new TrainingWorkerConfig(minimal()).fetch().loader();
        assertThat(new TrainingWorkerConfig(minimal()).fineTuning(loader)).isEmpty();

        Map<String, Object> props = minimal();
        props.put(TrainingWorkerConfig.REFIT_MODE_CONFIG, "FINE_TUNE");
        props.put(TrainingWorkerConfig.REFIT_FINE_TUNE_EVERY_CONFIG, "3");
        props.put(TrainingWorkerConfig.REFIT_FINE_TUNE_EPOCHS_CONFIG, "5");
        props.put(TrainingWorkerConfig.HEAD_SEED_CONFIG, "11");
        FineTuning tuning = new TrainingWorkerConfig(props).fineTuning(loader).orElseThrow();

        assertThat(tuning.every()).isEqualTo(3);
        assertThat(tuning.appliesTo(3)).isTrue();
        assertThat(tuning.appliesTo(4)).isFalse();
        assertThat(tuning.layers()).as("the base's last block").isZero();
        assertThat(tuning.maxImages()).isEqualTo(TrainingWorkerConfig.DEFAULT_REFIT_FINE_TUNE_MAX_IMAGES);
        assertThat(tuning.config().epochs()).isEqualTo(5);
        assertThat(tuning.config().seed()).isEqualTo(11);
        assertThat(tuning.config().learningRate()).as("the seeds' SGD").isEqualTo(1e-4);
        assertThat(tuning.config().augmentation()).isEqualTo(AugmentationConfig.defaults());
        props.put(TrainingWorkerConfig.REFIT_FINE_TUNE_AUGMENT_CONFIG, "LIGHT");
        assertThat(new TrainingWorkerConfig(props)
                        .fineTuning(loader)
                        .orElseThrow()
                        .config()
                        .augmentation())
                .isEqualTo(AugmentationPreset.LIGHT.config());
        props.put(TrainingWorkerConfig.REFIT_FINE_TUNE_AUGMENT_CONFIG, "HEAVY");
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TrainingWorkerConfig.REFIT_FINE_TUNE_AUGMENT_CONFIG);
        props.remove(TrainingWorkerConfig.REFIT_FINE_TUNE_AUGMENT_CONFIG);

        props.put(TrainingWorkerConfig.REFIT_MODE_CONFIG, "FINETUNE");
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TrainingWorkerConfig.REFIT_MODE_CONFIG);
    }

    @Test
    void shouldPassKafkaPrefixedKeysToEveryClient() {
        Map<String, Object> props = minimal();
        props.put("kafka.security.protocol", "SSL");

        TrainingWorkerConfig config = new TrainingWorkerConfig(props);

        assertThat(config.clientConfig())
                .containsEntry("security.protocol", "SSL")
                .containsEntry("bootstrap.servers", "127.0.0.1:19092");
        assertThat(config.streamsProperties(() -> {}, (topic, letter) -> new byte[0]))
                .containsEntry("security.protocol", "SSL");
    }

    @Test
    void shouldSayWhatIsWrongWithABadSetting() {
        Map<String, Object> props = minimal();
        props.put(TrainingWorkerConfig.BASE_PRESET_CONFIG, "network");
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("base.layer")
                .hasMessageContaining("required for base.preset=network");

        props.put(TrainingWorkerConfig.BASE_LAYER_CONFIG, "pool2");
        props.put(TrainingWorkerConfig.BASE_INPUT_CONFIG, "28x28");
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("HEIGHTxWIDTHxCHANNELS");

        props.put(TrainingWorkerConfig.BASE_INPUT_CONFIG, "28x28x1");
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs 3 channels")
                .hasMessageContaining("base.scaling=CAFFE_BGR");

        props.put(TrainingWorkerConfig.BASE_SCALING_CONFIG, "UNIT");
        assertThat(new TrainingWorkerConfig(props).base().preprocessing().channels())
                .isEqualTo(1);
        props.put(TrainingWorkerConfig.HOLDOUT_PERCENT_CONFIG, 60);
        props.put(TrainingWorkerConfig.VALIDATION_PERCENT_CONFIG, 40);
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nothing is left to train on");

        Map<String, Object> noWeights = minimal();
        noWeights.remove(TrainingWorkerConfig.BASE_WEIGHTS_CONFIG);
        assertThatThrownBy(() -> new TrainingWorkerConfig(noWeights).base())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("base.weights")
                .hasMessageContaining("base.preset=stored");

        Map<String, Object> http = minimal();
        http.put("fetch.allowed.schemes", "file,https");
        assertThatThrownBy(() -> new TrainingWorkerConfig(http))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("fetch.allowed.hosts");
    }

    @Test
    void shouldHaveNoRolloutPolicyUnlessStepsAreSetAndRefuseACanaryWithoutOne() {
        assertThat(new TrainingWorkerConfig(minimal()).rolloutPolicy()).isEmpty();

        Map<String, Object> canary = minimal();
        canary.put(TrainingWorkerConfig.PUBLISH_STATUS_CONFIG, "CANARY");
        assertThatThrownBy(() -> new TrainingWorkerConfig(canary))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rollout.steps");

        canary.put(TrainingWorkerConfig.ROLLOUT_STEPS_CONFIG, "10, 50");
        canary.put(TrainingWorkerConfig.ROLLOUT_MIN_LABELED_CONFIG, 30);
        canary.put(TrainingWorkerConfig.ROLLOUT_MAX_ACCURACY_DROP_CONFIG, 0.02);
        canary.put(TrainingWorkerConfig.ROLLOUT_STEP_TIMEOUT_MS_CONFIG, 3_600_000L);
        assertThat(new TrainingWorkerConfig(canary).rolloutPolicy())
                .contains(new RolloutPolicy(List.of(10, 50), 30, 0.02, Duration.ofHours(1)));

        for (String bad : List.of("50,10", "10,100", "0", "ten")) {
            Map<String, Object> props = minimal();
            props.put(TrainingWorkerConfig.ROLLOUT_STEPS_CONFIG, bad);
            assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("rollout.steps");
        }
    }

    @Test
    void shouldNameAStoredBaseByStoreAndNameAndKeepItsOwnInputUnlessOneIsSet() {
        Map<String, Object> props = minimal();
        props.remove(TrainingWorkerConfig.BASE_WEIGHTS_CONFIG);
        props.put(TrainingWorkerConfig.BASE_PRESET_CONFIG, "stored");
        props.put(TrainingWorkerConfig.BASE_NAME_CONFIG, "nsfwjs.mobilenet_v2");
        props.put(TrainingWorkerConfig.BASE_STORE_CONFIG, "/srv/bases");

        BaseSpec own = new TrainingWorkerConfig(props).base();
        props.put(TrainingWorkerConfig.BASE_INPUT_CONFIG, "96x96x3");
        BaseSpec resized = new TrainingWorkerConfig(props).base();

        assertThat(own.preset()).isEqualTo(BasePreset.STORED);
        assertThat(own.weights()).isEqualTo(Path.of("/srv/bases"));
        assertThat(own.name()).isEqualTo("nsfwjs.mobilenet_v2");
        assertThat(own.inputSize()).isEmpty();
        assertThat(resized.inputSize()).hasValue(96);

        props.put(TrainingWorkerConfig.BASE_NAME_CONFIG, "nsfwjs.mobilenet_v2,nsfwjs.inception_v3");
        assertThat(new TrainingWorkerConfig(props).base().storedNames())
                .containsExactly("nsfwjs.mobilenet_v2", "nsfwjs.inception_v3");
        props.put(TrainingWorkerConfig.REFIT_MODE_CONFIG, "FINE_TUNE");
        assertThatThrownBy(() -> new TrainingWorkerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("base.name")
                .hasMessageContaining("refit.mode=HEAD");
    }
}
