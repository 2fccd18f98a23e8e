package io.imgstream.training;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.images.FetchSettings;
import io.imgstream.images.ImageLoader;
import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.head.ClassWeighting;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadKind;
import io.imgstream.model.head.HeadPooling;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.FineTuner;
import io.imgstream.runtime.metrics.MetricsSettings;
import io.imgstream.schemas.ConnectionSettings;
import io.imgstream.schemas.DeadLetterTopic;
import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.TopicSettings;
import io.imgstream.schemas.VerdictDeserializationHandler;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.training.base.BasePreset;
import io.imgstream.training.base.BaseSpec;
import io.imgstream.training.refit.FineTuning;
import io.imgstream.training.refit.RefitMode;
import io.imgstream.training.refit.RefitTrigger;
import io.imgstream.training.rollout.RolloutPolicy;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the training worker. Every key, its default, its validator and its documentation are declared
 * once in {@link #CONFIG}; {@code fetch.*} keys are the scorer's ({@link FetchSettings}).
 *
 * <p>Keys starting with {@value #KAFKA_PREFIX} are passed to Kafka Streams and the worker's clients with the
 * prefix removed (security settings, tuning).
 */
public final class TrainingWorkerConfig extends AbstractConfig {

    /** Prefix of keys handed to Kafka unchanged, minus the prefix. */
    public static final String KAFKA_PREFIX = ConnectionSettings.KAFKA_PREFIX;

    public static final String BOOTSTRAP_SERVERS_CONFIG = ConnectionSettings.BOOTSTRAP_SERVERS_CONFIG;

    public static final String REGISTRY_URL_CONFIG = ConnectionSettings.REGISTRY_URL_CONFIG;

    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String DEFAULT_APPLICATION_ID = "imgstream-training";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id of the labeled set. Run one worker "
            + "per model: the refit reads the whole labeled set, so instances sharing an id would each see a part.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String DEFAULT_STATE_DIR = ".imgstream/training";
    private static final String STATE_DIR_DOC = "Directory of the labeled set's local state (restored from its "
            + "changelog when missing) and of refit checkpoints.";

    public static final String MODEL_NAME_CONFIG = "model.name";
    private static final String MODEL_NAME_DOC =
            "The model this worker trains; its versions are announced on the control topic.";

    public static final String MODEL_STORE_CONFIG = "model.store";
    public static final String DEFAULT_MODEL_STORE = FileSystemModelStore.DEFAULT_ROOT;
    private static final String MODEL_STORE_DOC =
            "Root directory of the filesystem model store the bundles are saved in; "
                    + "scorers must be able to read it, and read announced bundles only from their own model.store.";

    public static final String MODEL_SIGNATURE_PRIVATE_KEY_CONFIG = "model.signature.private.key";
    private static final String MODEL_SIGNATURE_PRIVATE_KEY_DOC = "PEM file of the Ed25519 private key every "
            + "announcement is signed with, for scorers that check signatures (model.signature.public.key). Empty: "
            + "announcements are not signed.";

    public static final String BASE_PRESET_CONFIG = "base.preset";
    public static final String DEFAULT_BASE_PRESET = BasePreset.VGG16.configName();
    private static final String BASE_PRESET_DOC = "The convolutional base: stored (a base from the base store in "
            + "base.store, named by base.name: its store name or id, as 'imgstream bases pull|import' stored it), "
            + "vgg16 or vgg19 (Keras layer names, weights from base.weights), network (any channels-first DL4J "
            + "ComputationGraph zip in base.weights, cut at base.layer), or bundle (the network of the model bundle "
            + "in base.weights, cut at its bottleneck layer or base.layer, with its preprocessing).";

    public static final String BASE_WEIGHTS_CONFIG = "base.weights";
    private static final String BASE_WEIGHTS_DOC = "Weights of the base: for vgg16/vgg19 a Keras .h5 (whole model or "
            + "weights only) or a DL4J model zip with Keras layer names; for network a DL4J ComputationGraph zip; for "
            + "bundle a model bundle zip. Not used by stored bases. Nothing is downloaded here: 'imgstream bases pull' "
            + "does that.";

    public static final String BASE_STORE_CONFIG = "base.store";
    public static final String DEFAULT_BASE_STORE = BaseStore.DEFAULT_ROOT;
    private static final String BASE_STORE_DOC = "Directory of the base store that a stored base is read from.";

    public static final String BASE_LAYER_CONFIG = "base.layer";
    private static final String BASE_LAYER_DOC =
            "Bottleneck layer of a network or bundle base: its activations are the "
                    + "features (a bundle's own bottleneck when empty). vgg16/vgg19 always use block5_pool.";

    public static final String BASE_NAME_CONFIG = "base.name";
    public static final String DEFAULT_BASE_NAME = "custom";
    private static final String BASE_NAME_DOC = "For a stored base: its store name or id (name@sha256), or several, "
            + "comma-separated, whose features are concatenated (each base run at the first's input size, or "
            + "base.input's; refit.mode=HEAD only). For a network or bundle base: its name in its id (name + sha256 "
            + "of its weights); lowercase letters, digits, '.', '_' or '-'.";

    public static final String BASE_INPUT_CONFIG = "base.input";
    public static final String DEFAULT_BASE_INPUT = "150x150x3";
    private static final String BASE_INPUT_DOC = "Input of the base, HEIGHTxWIDTHxCHANNELS; VGG takes 3 channels at "
            + "any size from 32x32 (150x150: 4x4x512 features, 224x224: 7x7x512). A bundle base takes its bundle's; "
            + "a stored base its own, unless this is set (VGG only); several stored bases the first's, unless this is "
            + "set.";

    public static final String BASE_SCALING_CONFIG = "base.scaling";
    public static final String DEFAULT_BASE_SCALING = PixelScaling.CAFFE_BGR.name();
    private static final String BASE_SCALING_DOC = "Pixel scaling of a network base: UNIT ([0,1]), CAFFE_BGR (VGG's "
            + "BGR mean subtraction) or TF ([-1,1]). vgg16/vgg19 always use CAFFE_BGR.";

    public static final String BASE_RESIZE_CONFIG = "base.resize";
    public static final String DEFAULT_BASE_RESIZE = ResizePolicy.SQUASH.name();
    private static final String BASE_RESIZE_DOC = "How images are brought to a network base's input size (ResizePolicy "
            + "name); vgg16/vgg19 always squash.";

    public static final String REFIT_EVERY_LABELS_CONFIG = "refit.every.labels";
    public static final int DEFAULT_REFIT_EVERY_LABELS = 50;
    private static final String REFIT_EVERY_LABELS_DOC =
            "Refit once this many labels arrived (new images or relabels) since the last refit.";

    public static final String REFIT_INTERVAL_MS_CONFIG = "refit.interval.ms";
    public static final long DEFAULT_REFIT_INTERVAL_MS = 600_000L;
    private static final String REFIT_INTERVAL_MS_DOC =
            "Refit at least this often while any new label waits, even below refit.every.labels.";

    public static final String REFIT_MIN_LABELS_CONFIG = "refit.min.labels";
    public static final int DEFAULT_REFIT_MIN_LABELS = 20;
    private static final String REFIT_MIN_LABELS_DOC = "No refit before the labeled set holds this many usable images "
            + "(with features) of at least two classes.";

    public static final String REFIT_MODE_CONFIG = "refit.mode";
    public static final String DEFAULT_REFIT_MODE = RefitMode.HEAD.name();
    private static final String REFIT_MODE_DOC = "HEAD: a refit trains the head on the labeled images' cached "
            + "features. FINE_TUNE: then, on the versions refit.fine.tune.every says, the head is stacked on the "
            + "base and the base's last layers train with it on the labeled images, fetched again through the fetch "
            + "limits and augmented (the seeds' second step); such a version's scorers publish no features.";

    public static final String REFIT_FINE_TUNE_EVERY_CONFIG = "refit.fine.tune.every";
    public static final int DEFAULT_REFIT_FINE_TUNE_EVERY = 1;
    private static final String REFIT_FINE_TUNE_EVERY_DOC = "In FINE_TUNE mode, fine-tune the versions whose number "
            + "is a multiple of this; the others refit the head alone, in seconds.";

    public static final String REFIT_FINE_TUNE_EPOCHS_CONFIG = "refit.fine.tune.epochs";
    public static final int DEFAULT_REFIT_FINE_TUNE_EPOCHS = 3;
    private static final String REFIT_FINE_TUNE_EPOCHS_DOC = "Epochs of fine-tuning (SGD 1e-4, momentum 0.9, images "
            + "augmented per refit.fine.tune.augment, classes balanced).";

    public static final String REFIT_FINE_TUNE_LAYERS_CONFIG = "refit.fine.tune.layers";
    private static final String REFIT_FINE_TUNE_LAYERS_DOC = "Base layers fine-tuned, the last ones; 0: VGG's block "
            + "5, or the last " + FineTuner.DEFAULT_LAST_LAYERS + " layers of another base.";

    public static final String REFIT_FINE_TUNE_AUGMENT_CONFIG = "refit.fine.tune.augment";
    public static final String DEFAULT_REFIT_FINE_TUNE_AUGMENT = AugmentationPreset.SEEDS.name();
    private static final String REFIT_FINE_TUNE_AUGMENT_DOC = "Random changes fine-tuning makes to each training "
            + "image: SEEDS (the Keras recipe's 40-degree rotations, 20% shifts, shear, zoom, mirroring, brightness), "
            + "LIGHT (mirroring, 10% shifts and zoom, brightness; no rotation or shear, for small centred subjects) or "
            + "NONE.";

    public static final String REFIT_FINE_TUNE_MAX_IMAGES_CONFIG = "refit.fine.tune.max.images";
    public static final int DEFAULT_REFIT_FINE_TUNE_MAX_IMAGES = 2000;
    private static final String REFIT_FINE_TUNE_MAX_IMAGES_DOC = "Most labeled images fetched and held for one "
            + "fine-tuning, holdout included; a larger labeled set is sampled (seeded), each side in proportion.";

    public static final String HOLDOUT_PERCENT_CONFIG = "holdout.percent";
    public static final int DEFAULT_HOLDOUT_PERCENT = 20;
    private static final String HOLDOUT_PERCENT_DOC =
            "Share of images kept out of training to evaluate candidates, chosen "
                    + "by a hash of the image id so an image stays on its side across refits. A label's split hint "
                    + "overrides it.";

    public static final String VALIDATION_PERCENT_CONFIG = "validation.percent";
    public static final int DEFAULT_VALIDATION_PERCENT = 10;
    private static final String VALIDATION_PERCENT_DOC = "Share of images, by the same hash, that early stopping and "
            + "learning-rate reduction watch; the rest train. Kept apart from the holdout so the gate's accuracy is "
            + "unbiased.";

    public static final String GATE_MIN_IMPROVEMENT_CONFIG = "gate.min.improvement";
    public static final double DEFAULT_GATE_MIN_IMPROVEMENT = 0.01;
    private static final String GATE_MIN_IMPROVEMENT_DOC =
            "A candidate is published only if its holdout accuracy beats "
                    + "the current version's, measured on the same holdout, by at least this much (0.01 = one point). "
                    + "The first "
                    + "version of a model is always published.";

    public static final String PUBLISH_STATUS_CONFIG = "publish.status";
    public static final String DEFAULT_PUBLISH_STATUS = ModelStatus.PROMOTED.name();
    private static final String PUBLISH_STATUS_DOC =
            "How a candidate that passes the gate is announced: PROMOTED (scorers "
                    + "switch to it), SHADOW (scored beside the current version into predictions-shadow, promoted by "
                    + "hand) or CANARY (it scores a share of the images and the rollout policy, rollout.*, promotes "
                    + "or rolls it back; the first version of a model, with nothing to compare it with, is PROMOTED).";

    public static final String ROLLOUT_STEPS_CONFIG = "rollout.steps";
    private static final String ROLLOUT_STEPS_DOC = "The rollout policy's steps: the canary's share of the images at "
            + "each, in percent (1 to 99, growing), e.g. 10,50; after the last it is promoted. Empty: no policy, and "
            + "a canary started by hand waits for a person. With steps, the worker also takes over a canary a person "
            + "started ('imgstream models promote --canary'), at the step its share has reached.";

    public static final String ROLLOUT_MIN_LABELED_CONFIG = "rollout.min.labeled";
    public static final int DEFAULT_ROLLOUT_MIN_LABELED = 200;
    private static final String ROLLOUT_MIN_LABELED_DOC = "Labeled images each arm (the canary, the current version) "
            + "needs since its step began before the step is decided: the canary's accuracy on them is compared "
            + "with the current version's.";

    public static final String ROLLOUT_MAX_ACCURACY_DROP_CONFIG = "rollout.max.accuracy.drop";
    public static final double DEFAULT_ROLLOUT_MAX_ACCURACY_DROP = 0.01;
    private static final String ROLLOUT_MAX_ACCURACY_DROP_DOC = "How far the canary's accuracy may fall below the "
            + "current version's (0.01 = one point) and still move on; further below, it is rolled back.";

    public static final String ROLLOUT_STEP_TIMEOUT_MS_CONFIG = "rollout.step.timeout.ms";
    public static final long DEFAULT_ROLLOUT_STEP_TIMEOUT_MS = 86_400_000L;
    private static final String ROLLOUT_STEP_TIMEOUT_MS_DOC = "A step that has not gathered rollout.min.labeled "
            + "labeled images on each arm this long after it began is rolled back: a canary that can't be judged "
            + "does not keep its share, and the current version stays.";

    public static final String ROLLOUT_CHECK_INTERVAL_MS_CONFIG = "rollout.check.interval.ms";
    public static final long DEFAULT_ROLLOUT_CHECK_INTERVAL_MS = 10_000L;
    private static final String ROLLOUT_CHECK_INTERVAL_MS_DOC =
            "How often the policy reads the control topic and decides the step in progress.";

    public static final String ROLLOUT_TRACKED_IMAGES_CONFIG = "rollout.tracked.images";
    public static final int DEFAULT_ROLLOUT_TRACKED_IMAGES = 100_000;
    private static final String ROLLOUT_TRACKED_IMAGES_DOC = "Most predictions waiting for a label, and labels "
            + "waiting for a prediction, the policy remembers per step; the least recently seen are forgotten first "
            + "(a forgotten prediction keeps its count, but its label is not counted).";

    public static final String HEAD_EPOCHS_CONFIG = "head.epochs";
    private static final String HEAD_EPOCHS_DOC = "Most epochs of a refit; early stopping usually ends it sooner.";

    public static final String HEAD_BATCH_SIZE_CONFIG = "head.batch.size";
    private static final String HEAD_BATCH_SIZE_DOC = "Minibatch size of head training.";

    public static final String HEAD_LEARNING_RATE_CONFIG = "head.learning.rate";
    private static final String HEAD_LEARNING_RATE_DOC = "RMSprop learning rate of the head (the seeds' 2e-5 suits "
            + "VGG features of thousands of images; small sets learn faster with 1e-4 to 1e-3). When not set, a head "
            + "over averaged or standardised features trains at 1e-3, as imgstream fit's does.";

    public static final String HEAD_KIND_CONFIG = "head.kind";
    private static final String HEAD_KIND_DOC = "DENSE: the seeds' Dense-Dropout head, warm-started from the current "
            + "version and stopped early on the validation loss; LINEAR: a softmax regression on the pooled features "
            + "(an intermediate layer's maps averaged over a 2x2 grid), its L2 strength chosen on the validation "
            + "images, then fitted on the training and validation images together, as imgstream fit --head linear "
            + "does. LINEAR ignores the dense head's settings (hidden units, dropout, epochs, batch size, learning "
            + "rate, normalized).";

    public static final String HEAD_HIDDEN_UNITS_CONFIG = "head.hidden.units";
    private static final String HEAD_HIDDEN_UNITS_DOC = "Units of the head's dense layer.";

    public static final String HEAD_DROPOUT_CONFIG = "head.dropout";
    private static final String HEAD_DROPOUT_DOC = "Dropout rate after the dense layer.";

    public static final String HEAD_POOLING_CONFIG = "head.pooling";
    /** {@link #HEAD_POOLING_CONFIG}'s value that lets the base's feature shape choose. */
    public static final String AUTO_HEAD_POOLING = "AUTO";

    private static final String HEAD_POOLING_DOC = "FLATTEN (as the seeds), GLOBAL_AVERAGE, GRID_AVERAGE (each "
            + "channel averaged over a 2x2 grid), or AUTO: FLATTEN up to VGG16's 512x7x7 features; beyond, "
            + "GLOBAL_AVERAGE for a dense head and GRID_AVERAGE for a linear one (as imgstream fit does).";

    public static final String HEAD_NORMALIZED_CONFIG = "head.normalized";
    private static final String HEAD_NORMALIZED_DOC = "Standardise the pooled features with a batch normalisation "
            + "layer before the dense layer; needed for features of an intermediate layer, whose channels differ in "
            + "scale by orders of magnitude (then train at 1e-3).";

    public static final String HEAD_CLASS_WEIGHTING_CONFIG = "head.class.weighting";
    public static final String DEFAULT_HEAD_CLASS_WEIGHTING = ClassWeighting.BALANCED.name();
    private static final String HEAD_CLASS_WEIGHTING_DOC = "BALANCED weighs each class's examples inversely to its "
            + "count, so small classes count as much as large ones; NONE weighs every example the same.";

    public static final String HEAD_SEED_CONFIG = "head.seed";
    private static final String HEAD_SEED_DOC = "Seed of weight initialisation, shuffling and dropout.";

    public static final String METRICS_JMX_ENABLED_CONFIG = MetricsSettings.JMX_ENABLED_CONFIG;
    public static final String METRICS_PROMETHEUS_PORT_CONFIG = MetricsSettings.PROMETHEUS_PORT_CONFIG;
    public static final String TOPIC_NAME_PREFIX = TopicSettings.PREFIX;

    /** The definition of every key. */
    public static final ConfigDef CONFIG = definition();

    /** Parses and validates {@code props}; unknown keys are ignored, {@value #KAFKA_PREFIX} keys are kept for Kafka. */
    public TrainingWorkerConfig(Map<?, ?> props) {
        super(CONFIG, props);
        fetch();
        base();
        signingKey();
        if (!BundleManifest.MODEL_NAME_PATTERN.matcher(modelName()).matches()) {
            throw new ConfigException(
                    MODEL_NAME_CONFIG, modelName(), "must match " + BundleManifest.MODEL_NAME_PATTERN.pattern());
        }
        if (publishStatus() == ModelStatus.CANARY && rolloutPolicy().isEmpty()) {
            throw new ConfigException(
                    PUBLISH_STATUS_CONFIG,
                    getString(PUBLISH_STATUS_CONFIG),
                    "a canary needs a rollout policy: set rollout.steps, e.g. 10,50");
        }
        if (holdoutPercent() + validationPercent() >= 100) {
            throw new ConfigException(
                    VALIDATION_PERCENT_CONFIG,
                    validationPercent(),
                    "holdout.percent + validation.percent must stay below 100, or nothing is left to train on");
        }
    }

    private static ConfigDef definition() {
        HeadConfig head = HeadConfig.defaults();
        HeadTrainingConfig training = HeadTrainingConfig.defaults();
        ConfigDef def = ConnectionSettings.define(new ConfigDef())
                .define(
                        MODEL_NAME_CONFIG,
                        Type.STRING,
                        ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        MODEL_NAME_DOC)
                .define(
                        MODEL_STORE_CONFIG,
                        Type.STRING,
                        DEFAULT_MODEL_STORE,
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        MODEL_STORE_DOC)
                .define(
                        MODEL_SIGNATURE_PRIVATE_KEY_CONFIG,
                        Type.STRING,
                        "",
                        Importance.MEDIUM,
                        MODEL_SIGNATURE_PRIVATE_KEY_DOC)
                .define(
                        BASE_PRESET_CONFIG,
                        Type.STRING,
                        DEFAULT_BASE_PRESET,
                        ConfigDef.ValidString.in(Arrays.stream(BasePreset.values())
                                .map(BasePreset::configName)
                                .toArray(String[]::new)),
                        Importance.HIGH,
                        BASE_PRESET_DOC)
                .define(BASE_WEIGHTS_CONFIG, Type.STRING, "", Importance.HIGH, BASE_WEIGHTS_DOC)
                .define(BASE_STORE_CONFIG, Type.STRING, DEFAULT_BASE_STORE, Importance.MEDIUM, BASE_STORE_DOC)
                .define(BASE_LAYER_CONFIG, Type.STRING, "", Importance.MEDIUM, BASE_LAYER_DOC)
                .define(BASE_NAME_CONFIG, Type.STRING, DEFAULT_BASE_NAME, Importance.LOW, BASE_NAME_DOC)
                .define(BASE_INPUT_CONFIG, Type.STRING, DEFAULT_BASE_INPUT, Importance.MEDIUM, BASE_INPUT_DOC)
                .define(
                        BASE_SCALING_CONFIG,
                        Type.STRING,
                        DEFAULT_BASE_SCALING,
                        enumValues(PixelScaling.class),
                        Importance.MEDIUM,
                        BASE_SCALING_DOC)
                .define(
                        BASE_RESIZE_CONFIG,
                        Type.STRING,
                        DEFAULT_BASE_RESIZE,
                        enumValues(ResizePolicy.class),
                        Importance.LOW,
                        BASE_RESIZE_DOC)
                .define(
                        APPLICATION_ID_CONFIG,
                        Type.STRING,
                        DEFAULT_APPLICATION_ID,
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        APPLICATION_ID_DOC)
                .define(STATE_DIR_CONFIG, Type.STRING, DEFAULT_STATE_DIR, Importance.MEDIUM, STATE_DIR_DOC)
                .define(
                        REFIT_EVERY_LABELS_CONFIG,
                        Type.INT,
                        DEFAULT_REFIT_EVERY_LABELS,
                        ConfigDef.Range.atLeast(1),
                        Importance.HIGH,
                        REFIT_EVERY_LABELS_DOC)
                .define(
                        REFIT_INTERVAL_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_REFIT_INTERVAL_MS,
                        ConfigDef.Range.atLeast(100),
                        Importance.HIGH,
                        REFIT_INTERVAL_MS_DOC)
                .define(
                        REFIT_MIN_LABELS_CONFIG,
                        Type.INT,
                        DEFAULT_REFIT_MIN_LABELS,
                        ConfigDef.Range.atLeast(2),
                        Importance.MEDIUM,
                        REFIT_MIN_LABELS_DOC)
                .define(
                        REFIT_MODE_CONFIG,
                        Type.STRING,
                        DEFAULT_REFIT_MODE,
                        enumValues(RefitMode.class),
                        Importance.HIGH,
                        REFIT_MODE_DOC)
                .define(
                        REFIT_FINE_TUNE_EVERY_CONFIG,
                        Type.INT,
                        DEFAULT_REFIT_FINE_TUNE_EVERY,
                        ConfigDef.Range.between(1, 1000),
                        Importance.MEDIUM,
                        REFIT_FINE_TUNE_EVERY_DOC)
                .define(
                        REFIT_FINE_TUNE_EPOCHS_CONFIG,
                        Type.INT,
                        DEFAULT_REFIT_FINE_TUNE_EPOCHS,
                        ConfigDef.Range.between(1, 1000),
                        Importance.MEDIUM,
                        REFIT_FINE_TUNE_EPOCHS_DOC)
                .define(
                        REFIT_FINE_TUNE_AUGMENT_CONFIG,
                        Type.STRING,
                        DEFAULT_REFIT_FINE_TUNE_AUGMENT,
                        ConfigDef.ValidString.in(Arrays.stream(AugmentationPreset.values())
                                .map(AugmentationPreset::name)
                                .toArray(String[]::new)),
                        Importance.LOW,
                        REFIT_FINE_TUNE_AUGMENT_DOC)
                .define(
                        REFIT_FINE_TUNE_LAYERS_CONFIG,
                        Type.INT,
                        0,
                        ConfigDef.Range.between(0, 10_000),
                        Importance.LOW,
                        REFIT_FINE_TUNE_LAYERS_DOC)
                .define(
                        REFIT_FINE_TUNE_MAX_IMAGES_CONFIG,
                        Type.INT,
                        DEFAULT_REFIT_FINE_TUNE_MAX_IMAGES,
                        ConfigDef.Range.between(3, 1_000_000),
                        Importance.LOW,
                        REFIT_FINE_TUNE_MAX_IMAGES_DOC)
                .define(
                        HOLDOUT_PERCENT_CONFIG,
                        Type.INT,
                        DEFAULT_HOLDOUT_PERCENT,
                        ConfigDef.Range.between(1, 90),
                        Importance.MEDIUM,
                        HOLDOUT_PERCENT_DOC)
                .define(
                        VALIDATION_PERCENT_CONFIG,
                        Type.INT,
                        DEFAULT_VALIDATION_PERCENT,
                        ConfigDef.Range.between(0, 90),
                        Importance.LOW,
                        VALIDATION_PERCENT_DOC)
                .define(
                        GATE_MIN_IMPROVEMENT_CONFIG,
                        Type.DOUBLE,
                        DEFAULT_GATE_MIN_IMPROVEMENT,
                        ConfigDef.Range.between(-1, 1),
                        Importance.HIGH,
                        GATE_MIN_IMPROVEMENT_DOC)
                .define(
                        PUBLISH_STATUS_CONFIG,
                        Type.STRING,
                        DEFAULT_PUBLISH_STATUS,
                        ConfigDef.ValidString.in(
                                ModelStatus.PROMOTED.name(), ModelStatus.SHADOW.name(), ModelStatus.CANARY.name()),
                        Importance.MEDIUM,
                        PUBLISH_STATUS_DOC)
                .define(
                        ROLLOUT_STEPS_CONFIG,
                        Type.LIST,
                        "",
                        new ConfigDef.Validator() {
                            @Override
                            public void ensureValid(String name, Object value) {
                                rolloutSteps(name, value);
                            }

                            @Override
                            public String toString() {
                                return "growing shares of 1 to 99 percent, or empty";
                            }
                        },
                        Importance.MEDIUM,
                        ROLLOUT_STEPS_DOC)
                .define(
                        ROLLOUT_MIN_LABELED_CONFIG,
                        Type.INT,
                        DEFAULT_ROLLOUT_MIN_LABELED,
                        ConfigDef.Range.between(1, 10_000_000),
                        Importance.MEDIUM,
                        ROLLOUT_MIN_LABELED_DOC)
                .define(
                        ROLLOUT_MAX_ACCURACY_DROP_CONFIG,
                        Type.DOUBLE,
                        DEFAULT_ROLLOUT_MAX_ACCURACY_DROP,
                        ConfigDef.Range.between(0, 1),
                        Importance.MEDIUM,
                        ROLLOUT_MAX_ACCURACY_DROP_DOC)
                .define(
                        ROLLOUT_STEP_TIMEOUT_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_ROLLOUT_STEP_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(1_000L),
                        Importance.MEDIUM,
                        ROLLOUT_STEP_TIMEOUT_MS_DOC)
                .define(
                        ROLLOUT_CHECK_INTERVAL_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_ROLLOUT_CHECK_INTERVAL_MS,
                        ConfigDef.Range.between(100L, 3_600_000L),
                        Importance.LOW,
                        ROLLOUT_CHECK_INTERVAL_MS_DOC)
                .define(
                        ROLLOUT_TRACKED_IMAGES_CONFIG,
                        Type.INT,
                        DEFAULT_ROLLOUT_TRACKED_IMAGES,
                        ConfigDef.Range.between(100, 10_000_000),
                        Importance.LOW,
                        ROLLOUT_TRACKED_IMAGES_DOC)
                .define(
                        HEAD_EPOCHS_CONFIG,
                        Type.INT,
                        training.maxEpochs(),
                        ConfigDef.Range.between(1, 10_000),
                        Importance.MEDIUM,
                        HEAD_EPOCHS_DOC)
                .define(
                        HEAD_BATCH_SIZE_CONFIG,
                        Type.INT,
                        training.batchSize(),
                        ConfigDef.Range.between(1, 4096),
                        Importance.LOW,
                        HEAD_BATCH_SIZE_DOC)
                .define(
                        HEAD_LEARNING_RATE_CONFIG,
                        Type.DOUBLE,
                        head.learningRate(),
                        ConfigDef.Range.between(1e-9, 10),
                        Importance.MEDIUM,
                        HEAD_LEARNING_RATE_DOC)
                .define(
                        HEAD_KIND_CONFIG,
                        Type.STRING,
                        HeadKind.DENSE.name(),
                        enumValues(HeadKind.class),
                        Importance.MEDIUM,
                        HEAD_KIND_DOC)
                .define(
                        HEAD_HIDDEN_UNITS_CONFIG,
                        Type.INT,
                        head.hiddenUnits(),
                        ConfigDef.Range.between(1, 65_536),
                        Importance.LOW,
                        HEAD_HIDDEN_UNITS_DOC)
                .define(
                        HEAD_DROPOUT_CONFIG,
                        Type.DOUBLE,
                        head.dropoutRate(),
                        ConfigDef.Range.between(0, 0.95),
                        Importance.LOW,
                        HEAD_DROPOUT_DOC)
                .define(
                        HEAD_POOLING_CONFIG,
                        Type.STRING,
                        AUTO_HEAD_POOLING,
                        ConfigDef.ValidString.in(
                                AUTO_HEAD_POOLING,
                                HeadPooling.FLATTEN.name(),
                                HeadPooling.GLOBAL_AVERAGE.name(),
                                HeadPooling.GRID_AVERAGE.name()),
                        Importance.LOW,
                        HEAD_POOLING_DOC)
                .define(HEAD_NORMALIZED_CONFIG, Type.BOOLEAN, head.normalized(), Importance.LOW, HEAD_NORMALIZED_DOC)
                .define(
                        HEAD_CLASS_WEIGHTING_CONFIG,
                        Type.STRING,
                        DEFAULT_HEAD_CLASS_WEIGHTING,
                        enumValues(ClassWeighting.class),
                        Importance.MEDIUM,
                        HEAD_CLASS_WEIGHTING_DOC)
                .define(HEAD_SEED_CONFIG, Type.LONG, training.seed(), Importance.LOW, HEAD_SEED_DOC);
        FetchSettings.define(def);
        MetricsSettings.define(def);
        TopicSettings.define(def);
        return def;
    }

    /**
     * Parses and checks the steps.
     *
     * @throws ConfigException unless every step is a share of 1 to 99 percent, each larger than the one before
     */
    private static List<Integer> rolloutSteps(String name, Object value) {
        List<Integer> steps = new ArrayList<>();
        for (Object item : (List<?>) value) {
            try {
                steps.add(Integer.parseInt(item.toString().strip()));
            } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "each step is a share in percent, e.g. 10,50");
            }
        }
        if (steps.isEmpty()) {
            return steps;
        }
        try {
            new RolloutPolicy(steps, 1, 0, Duration.ofSeconds(1));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
        return steps;
    }

    private static ConfigDef.ValidString enumValues(Class<? extends Enum<?>> type) {
        return ConfigDef.ValidString.in(
                Arrays.stream(type.getEnumConstants()).map(Enum::name).toArray(String[]::new));
    }

    /** Brokers, as Kafka clients expect them. */
    public String bootstrapServers() {
        return ConnectionSettings.bootstrapServers(this);
    }

    /** The registry's base URL. */
    public String registryUrl() {
        return ConnectionSettings.registryUrl(this);
    }

    /** The model trained. */
    public String modelName() {
        return getString(MODEL_NAME_CONFIG);
    }

    /** Root of the model store. */
    public Path modelStore() {
        return Path.of(getString(MODEL_STORE_CONFIG)).toAbsolutePath().normalize();
    }

    /** Directory of local state. */
    public Path stateDir() {
        return Path.of(getString(STATE_DIR_CONFIG)).toAbsolutePath().normalize();
    }

    /**
     * The key announcements are signed with, if one is configured.
     *
     * @throws ConfigException if the file is not an Ed25519 private key
     */
    public Optional<PrivateKey> signingKey() {
        String file = getString(MODEL_SIGNATURE_PRIVATE_KEY_CONFIG);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(AnnouncementSignature.readPrivateKey(Path.of(file)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(MODEL_SIGNATURE_PRIVATE_KEY_CONFIG, file, e.getMessage());
        }
    }

    /** Which base, from which weights. */
    public BaseSpec base() {
        BasePreset preset = BasePreset.of(getString(BASE_PRESET_CONFIG));
        Preprocessing input = preprocessing(preset);
        if (preset == BasePreset.STORED) {
            BaseSpec stored = new BaseSpec(
                    preset,
                    Path.of(getString(BASE_STORE_CONFIG)),
                    "",
                    getString(BASE_NAME_CONFIG),
                    input,
                    originals().containsKey(BASE_INPUT_CONFIG) ? OptionalInt.of(input.height()) : OptionalInt.empty());
            if (stored.storedNames().size() > 1
                    && RefitMode.valueOf(getString(REFIT_MODE_CONFIG)) == RefitMode.FINE_TUNE) {
                throw new ConfigException(
                        BASE_NAME_CONFIG,
                        getString(BASE_NAME_CONFIG),
                        "several bases are refit head only (refit.mode=HEAD): fine-tuning trains the last layers of "
                                + "one chain, and concatenated bases are several");
            }
            return stored;
        }
        String weightsFile = getString(BASE_WEIGHTS_CONFIG);
        if (weightsFile.isBlank()) {
            throw new ConfigException(
                    BASE_WEIGHTS_CONFIG,
                    weightsFile,
                    "required for base.preset=" + preset.configName() + "; or use base.preset=stored with a base "
                            + "from 'imgstream bases pull|import'");
        }
        Path weights = Path.of(weightsFile);
        String layer = getString(BASE_LAYER_CONFIG);
        if (preset == BasePreset.NETWORK && layer.isBlank()) {
            throw new ConfigException(
                    BASE_LAYER_CONFIG,
                    layer,
                    "required for base.preset=network: name the layer whose activations are the features");
        }
        return new BaseSpec(preset, weights, layer, getString(BASE_NAME_CONFIG), input, OptionalInt.empty());
    }

    private Preprocessing preprocessing(BasePreset preset) {
        String text = getString(BASE_INPUT_CONFIG);
        String[] parts = text.toLowerCase(Locale.ROOT).split("x");
        int[] dims = new int[3];
        try {
            if (parts.length != dims.length) {
                throw new NumberFormatException();
            }
            for (int i = 0; i < dims.length; i++) {
                dims[i] = Integer.parseInt(parts[i].strip());
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    BASE_INPUT_CONFIG, text, "expected HEIGHTxWIDTHxCHANNELS, e.g. " + DEFAULT_BASE_INPUT);
        }
        PixelScaling scaling = preset == BasePreset.NETWORK
                ? PixelScaling.valueOf(getString(BASE_SCALING_CONFIG))
                : PixelScaling.CAFFE_BGR;
        try {
            return new Preprocessing(
                    dims[0], dims[1], dims[2], scaling, ResizePolicy.valueOf(getString(BASE_RESIZE_CONFIG)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(BASE_INPUT_CONFIG, text, e.getMessage() + " (base.scaling=" + scaling + ")");
        }
    }

    /** When to refit. */
    public RefitTrigger refitTrigger() {
        return new RefitTrigger(
                getInt(REFIT_EVERY_LABELS_CONFIG),
                Duration.ofMillis(getLong(REFIT_INTERVAL_MS_CONFIG)),
                getInt(REFIT_MIN_LABELS_CONFIG));
    }

    /**
     * Whether and how refits also fine-tune the base.
     *
     * @param loader fetches the labeled images within the worker's fetch limits
     * @return empty in {@code HEAD} mode
     */
    public Optional<FineTuning> fineTuning(ImageLoader loader) {
        if (RefitMode.valueOf(getString(REFIT_MODE_CONFIG)) == RefitMode.HEAD) {
            return Optional.empty();
        }
        FineTuneConfig defaults = FineTuneConfig.defaults();
        return Optional.of(new FineTuning(
                getInt(REFIT_FINE_TUNE_EVERY_CONFIG),
                getInt(REFIT_FINE_TUNE_LAYERS_CONFIG),
                new FineTuneConfig(
                        defaults.learningRate(),
                        defaults.momentum(),
                        getInt(REFIT_FINE_TUNE_EPOCHS_CONFIG),
                        defaults.batchSize(),
                        getLong(HEAD_SEED_CONFIG),
                        AugmentationPreset.valueOf(getString(REFIT_FINE_TUNE_AUGMENT_CONFIG))
                                .config(),
                        defaults.balanceClasses()),
                getInt(REFIT_FINE_TUNE_MAX_IMAGES_CONFIG),
                loader));
    }

    /** Percent of images in the holdout. */
    public int holdoutPercent() {
        return getInt(HOLDOUT_PERCENT_CONFIG);
    }

    /** Percent of images in the validation set. */
    public int validationPercent() {
        return getInt(VALIDATION_PERCENT_CONFIG);
    }

    /** Accuracy a candidate must gain over the current version. */
    public double gateMinImprovement() {
        return getDouble(GATE_MIN_IMPROVEMENT_CONFIG);
    }

    /** Status of a published candidate. */
    public ModelStatus publishStatus() {
        return ModelStatus.valueOf(getString(PUBLISH_STATUS_CONFIG));
    }

    /** The rollout policy, when {@code rollout.steps} names steps. */
    public Optional<RolloutPolicy> rolloutPolicy() {
        List<Integer> steps = rolloutSteps(ROLLOUT_STEPS_CONFIG, getList(ROLLOUT_STEPS_CONFIG));
        if (steps.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RolloutPolicy(
                steps,
                getInt(ROLLOUT_MIN_LABELED_CONFIG),
                getDouble(ROLLOUT_MAX_ACCURACY_DROP_CONFIG),
                Duration.ofMillis(getLong(ROLLOUT_STEP_TIMEOUT_MS_CONFIG))));
    }

    /** How often the rollout policy checks. */
    public Duration rolloutCheckInterval() {
        return Duration.ofMillis(getLong(ROLLOUT_CHECK_INTERVAL_MS_CONFIG));
    }

    /** Most images a rollout's measurement remembers. */
    public int rolloutTrackedImages() {
        return getInt(ROLLOUT_TRACKED_IMAGES_CONFIG);
    }

    /**
     * The head's layout and optimiser.
     *
     * @param featureShape one image's features from the base, which {@code AUTO} pooling is chosen for
     */
    public HeadConfig head(long[] featureShape) {
        HeadConfig defaults = HeadConfig.defaults();
        boolean linear = HeadKind.valueOf(getString(HEAD_KIND_CONFIG)) == HeadKind.LINEAR;
        String configuredPooling = getString(HEAD_POOLING_CONFIG);
        HeadPooling pooling = !configuredPooling.equals(AUTO_HEAD_POOLING)
                ? HeadPooling.valueOf(configuredPooling)
                : linear ? HeadPooling.forLinearHead(featureShape) : HeadPooling.forFeatures(featureShape);
        if (linear) {
            return HeadConfig.linear(pooling);
        }
        boolean normalized = getBoolean(HEAD_NORMALIZED_CONFIG);
        double learningRate = originals().containsKey(HEAD_LEARNING_RATE_CONFIG)
                ? getDouble(HEAD_LEARNING_RATE_CONFIG)
                : HeadConfig.learningRateFor(pooling, normalized);
        return new HeadConfig(
                pooling,
                getInt(HEAD_HIDDEN_UNITS_CONFIG),
                getDouble(HEAD_DROPOUT_CONFIG),
                learningRate,
                defaults.rmsDecay(),
                normalized);
    }

    /** How the head trains. */
    public HeadTrainingConfig headTraining() {
        HeadTrainingConfig defaults = HeadTrainingConfig.defaults();
        return new HeadTrainingConfig(
                getInt(HEAD_EPOCHS_CONFIG),
                getInt(HEAD_BATCH_SIZE_CONFIG),
                getLong(HEAD_SEED_CONFIG),
                defaults.earlyStoppingPatience(),
                defaults.minImprovement(),
                defaults.plateauPatience(),
                defaults.plateauFactor(),
                defaults.minLearningRate(),
                ClassWeighting.valueOf(getString(HEAD_CLASS_WEIGHTING_CONFIG)),
                defaults.restoreBestWeights());
    }

    /** Where images whose features are missing may be fetched from. */
    public FetchSettings fetch() {
        return FetchSettings.from(this);
    }

    /** Which metrics exporters to start. */
    public MetricsSettings metrics() {
        return MetricsSettings.from(this);
    }

    /** The topic catalog, with any names configured under {@value #TOPIC_NAME_PREFIX}. */
    public TopicCatalog topics() {
        return TopicSettings.from(this);
    }

    /** Settings for the worker's producers and consumers: the brokers plus every {@value #KAFKA_PREFIX} key. */
    public Map<String, Object> clientConfig() {
        return ConnectionSettings.clientConfig(this);
    }

    /**
     * Properties for the labeled set's Kafka Streams instance.
     *
     * @param skippedRecord told of each feedback or features record skipped because it does not deserialize
     * @param deadLetters   writes a dead letter's value for the dead-letter topic, {@code images-dlq} (the
     *                      registry's serializer)
     */
    public Properties streamsProperties(Runnable skippedRecord, Serializer<? super DeadLetter> deadLetters) {
        Properties props = new Properties();
        props.putAll(originalsWithPrefix(KAFKA_PREFIX));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().resolve("streams").toString());
        // Labels are upserts by image id, so a replay after a crash writes the same values again: at-least-once is
        // exact here.
        props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // A feedback or features record that is at fault (another schema, no magic byte) is logged with its topic,
        // partition and offset, counted, written to images-dlq and skipped. One whose schema can't be looked up
        // because the registry is away fails the thread, which is replaced and reads it again: a label is never lost
        // to an outage. Not overridable by a kafka.* key, which could bring that loss back.
        VerdictDeserializationHandler.install(
                props,
                new VerdictDeserializationHandler.Policy(
                        RecordRetries.defaults(),
                        skippedRecord,
                        Optional.of(new DeadLetterTopic(topics().name(TopicRole.IMAGES_DLQ), deadLetters))));
        return props;
    }
}
