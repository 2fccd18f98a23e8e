package io.imgstream.topology;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.runtime.metrics.MetricsSettings;
import io.imgstream.schemas.ConnectionSettings;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicSettings;
import io.imgstream.topology.batching.BatchingSettings;
import io.imgstream.topology.drift.DriftSettings;
import io.imgstream.topology.fetch.SourceRetries;
import io.imgstream.topology.scoring.LabelingPolicy;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the scoring application. Every key, its default, its validator and its documentation
 * are declared once in {@link #CONFIG}.
 *
 * <p>Keys starting with {@value #KAFKA_PREFIX} are passed to Kafka Streams and its clients with the prefix
 * removed (security settings, tuning), e.g. {@code kafka.security.protocol=SSL}.
 */
public final class ScorerConfig extends AbstractConfig {

    /** Prefix of keys handed to Kafka Streams unchanged, minus the prefix. */
    public static final String KAFKA_PREFIX = ConnectionSettings.KAFKA_PREFIX;

    public static final String BOOTSTRAP_SERVERS_CONFIG = ConnectionSettings.BOOTSTRAP_SERVERS_CONFIG;

    public static final String REGISTRY_URL_CONFIG = ConnectionSettings.REGISTRY_URL_CONFIG;

    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String DEFAULT_APPLICATION_ID = "imgstream-scorer";
    private static final String APPLICATION_ID_DOC =
            "Kafka Streams application id: instances sharing it share the input partitions.";

    public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
    public static final String DEFAULT_PROCESSING_GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;
    private static final String PROCESSING_GUARANTEE_DOC =
            "exactly_once_v2: every image gets exactly one prediction per model "
                    + "version, even across crashes. at_least_once: faster commits, duplicates possible after a crash.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String DEFAULT_STATE_DIR = ".imgstream/streams";
    private static final String STATE_DIR_DOC =
            "Directory for Kafka Streams local state; relative paths are resolved against the working directory.";

    public static final String MODEL_BUNDLE_CONFIG = "model.bundle";
    private static final String MODEL_BUNDLE_DOC = "Path or file:// URI of the model bundle (zip) to start with. "
            + "When model.versions.follow is true and the control topic has a PROMOTED version of the model, that "
            + "version wins. Empty: the model must come from the control topic (then model.name is required).";

    public static final String MODEL_NAME_CONFIG = "model.name";
    private static final String MODEL_NAME_DOC = "Name of the model to score with, as on the control topic. Empty: "
            + "the name in model.bundle's manifest.";

    public static final String MODEL_VERSIONS_FOLLOW_CONFIG = "model.versions.follow";
    public static final boolean DEFAULT_MODEL_VERSIONS_FOLLOW = true;
    private static final String MODEL_VERSIONS_FOLLOW_DOC = "Whether to follow the model-versions control topic: "
            + "adopt each PROMOTED version of the model between two batches, and score SHADOW versions beside it "
            + "into predictions-shadow. A bundle that is missing, corrupt or does not match its announcement is "
            + "refused and the current model stays.";

    public static final String MODEL_VERSIONS_STARTUP_TIMEOUT_MS_CONFIG = "model.versions.startup.timeout.ms";
    public static final long DEFAULT_MODEL_VERSIONS_STARTUP_TIMEOUT_MS = 30_000L;
    private static final String MODEL_VERSIONS_STARTUP_TIMEOUT_MS_DOC = "How long start-up may take to read the "
            + "control topic to its end, in milliseconds, so that an instance starts on the current version.";

    public static final String BATCH_SIZE_CONFIG = "batch.size";
    public static final int DEFAULT_BATCH_SIZE = 0;
    private static final String BATCH_SIZE_DOC = "Most images per forward pass. 0: chosen for the ND4J backend ("
            + "8 on CPU, the measured sweet spot on two cores; 32 on CUDA). Either way capped so that one forward "
            + "pass of the model needs at most batch.memory.max.bytes; the cap is worked out again for every model "
            + "version swapped in, and batches close at the new version's size from its first batch on.";

    public static final String BATCH_LINGER_MS_CONFIG = "batch.linger.ms";
    public static final long DEFAULT_BATCH_LINGER_MS = 20L;
    private static final String BATCH_LINGER_MS_DOC = "Longest an image waits for its batch to fill before the batch "
            + "is scored anyway, in milliseconds (Triton's max queue delay). 0 scores every image as soon as possible.";

    public static final String BATCH_MAX_IN_FLIGHT_CONFIG = "batch.max.in.flight";
    public static final int DEFAULT_BATCH_MAX_IN_FLIGHT = 2;
    private static final String BATCH_MAX_IN_FLIGHT_DOC = "Batches of one stream task handed to the forward pass "
            + "and not yet forwarded, at most. 2 lets decoding of the next batch overlap the forward pass.";

    public static final String FETCH_MAX_IN_FLIGHT_BYTES_CONFIG = "fetch.max.in.flight.bytes";
    public static final long DEFAULT_FETCH_MAX_IN_FLIGHT_BYTES = 256L * 1024 * 1024;
    private static final String FETCH_MAX_IN_FLIGHT_BYTES_DOC = "Decoded image bytes the whole instance (all its "
            + "stream tasks) may hold between the end of an image's decode and the end of its forward pass. While "
            + "they reach it, no new fetch starts; records are still consumed and wait for their fetch, and an image "
            + "a closing batch needs is fetched regardless, so the limit slows scoring but never drops or stalls an "
            + "image. Held pixels stay below it plus one image per fetch thread and per batch being closed.";

    public static final String BATCH_MEMORY_MAX_BYTES_CONFIG = "batch.memory.max.bytes";
    public static final long DEFAULT_BATCH_MEMORY_MAX_BYTES = 2L * 1024 * 1024 * 1024;
    private static final String BATCH_MEMORY_MAX_BYTES_DOC = "Most memory one forward pass may need, in bytes, as "
            + "DL4J's memory report estimates it for the model's input size; caps batch.size.";

    public static final String MODEL_WARMUP_IMAGES_CONFIG = "model.warmup.images";
    public static final int DEFAULT_MODEL_WARMUP_IMAGES = 2;
    private static final String MODEL_WARMUP_IMAGES_DOC = "Images in the forward pass a new version runs before "
            + "it replaces the current one (at most its batch size). Two check that it scores batches, not only "
            + "single images, and create its buffers and kernels: the first full batch after them measured no slower "
            + "than later ones. The batch size also checks that a full batch fits in memory, at the cost of a full "
            + "forward pass on the swap's path, on cores the current version is scoring on.";

    public static final String FETCH_THREADS_CONFIG = "fetch.threads";
    public static final int DEFAULT_FETCH_THREADS = 2;
    private static final String FETCH_THREADS_DOC =
            "Worker threads that fetch and decode images off the stream thread.";

    public static final String FETCH_TIMEOUT_MS_CONFIG = "fetch.timeout.ms";
    public static final long DEFAULT_FETCH_TIMEOUT_MS = 30_000L;
    private static final String FETCH_TIMEOUT_MS_DOC = "Longest a batch waits for one image to be fetched and "
            + "decoded, in milliseconds; an image that takes longer is dead-lettered with FETCH_TIMEOUT.";

    public static final String FETCH_RETRY_ATTEMPTS_CONFIG = "fetch.retry.attempts";
    public static final int DEFAULT_FETCH_RETRY_ATTEMPTS = 3;
    private static final String FETCH_RETRY_ATTEMPTS_DOC = "Attempts at fetching an image whose source fails in a "
            + "way that may pass (HTTP 5xx or 429, a connection refused or reset, a timeout, an I/O error reading a "
            + "file), its first included; after the last the image is dead-lettered with RETRIES_EXHAUSTED and the "
            + "last error. 1 dead-letters it at the first failure, with that failure's reason. All attempts count "
            + "against fetch.timeout.ms.";

    public static final String FETCH_RETRY_BACKOFF_MS_CONFIG = "fetch.retry.backoff.ms";
    public static final long DEFAULT_FETCH_RETRY_BACKOFF_MS = 500L;
    private static final String FETCH_RETRY_BACKOFF_MS_DOC = "Wait before the first retry of an image whose source "
            + "failed, in milliseconds; it doubles with each further retry, up to "
            + SourceRetries.MAX_BACKOFF_MS + " ms. The image waits in the fetch queue meanwhile, holding no thread.";

    public static final String INFERENCE_TIMEOUT_MS_CONFIG = "inference.timeout.ms";
    public static final long DEFAULT_INFERENCE_TIMEOUT_MS = 120_000L;
    private static final String INFERENCE_TIMEOUT_MS_DOC = "Longest the stream thread waits for a forward pass when "
            + "its batches are full, in milliseconds. Past it the task fails and restarts; its images are scored "
            + "again. Keep it below the consumer's max.poll.interval.ms. Unless kafka.transaction.timeout.ms is "
            + "set, the producer's transaction timeout is this plus fetch.timeout.ms plus 30 s (Kafka Streams' "
            + "10 s would abort a transaction the thread waits in).";

    public static final String FEATURES_ENABLED_CONFIG = "features.enabled";
    public static final boolean DEFAULT_FEATURES_ENABLED = true;
    private static final String FEATURES_ENABLED_DOC =
            "Whether to write each scored image's bottleneck features to the "
                    + "compacted features topic (keyed image id/base model id) for the training worker. Only models "
                    + "whose "
                    + "bundle names its bottleneck layer have features.";

    public static final String LABELING_MIN_CONFIDENCE_CONFIG = "labeling.min.confidence";
    public static final double DEFAULT_LABELING_MIN_CONFIDENCE = 0.6;
    private static final String LABELING_MIN_CONFIDENCE_DOC = "A prediction whose top probability is below this "
            + "gets a LabelRequest on labeling-requests (active learning). 0 disables the check.";

    public static final String DRIFT_WINDOW_SIZE_CONFIG = "drift.window.size";
    public static final int DEFAULT_DRIFT_WINDOW_SIZE = 1000;
    private static final String DRIFT_WINDOW_SIZE_DOC = "How many of the current model version's most recent "
            + "predictions are compared with its holdout's (confidence distribution and predicted-class mix) to tell "
            + "drift. A swap starts a new window.";

    public static final String DRIFT_MIN_PREDICTIONS_CONFIG = "drift.min.predictions";
    public static final int DEFAULT_DRIFT_MIN_PREDICTIONS = 200;
    private static final String DRIFT_MIN_PREDICTIONS_DOC =
            "Predictions the drift window must hold before it is compared; at most drift.window.size.";

    public static final String DRIFT_MIN_REFERENCE_CONFIG = "drift.min.reference";
    public static final int DEFAULT_DRIFT_MIN_REFERENCE = 30;
    private static final String DRIFT_MIN_REFERENCE_DOC = "Holdout predictions a version's recorded profile must "
            + "count for drift to be measured against it; a smaller holdout's shares are too coarse to tell drift "
            + "from chance. Versions without a profile (bundles not trained by imgstream fit or the worker) are not "
            + "compared.";

    public static final String DRIFT_THRESHOLD_CONFIG = "drift.threshold";
    public static final double DEFAULT_DRIFT_THRESHOLD = 0.25;
    private static final String DRIFT_THRESHOLD_DOC = "Population stability index of the confidence distribution or "
            + "the class mix above which the model counts as drifting (a log line, the imgstream.scorer.drifting "
            + "gauge, and label requests per drift.labeling.share). By the usual rule of thumb, below 0.1 is "
            + "stable and above 0.25 a large shift.";

    public static final String DRIFT_LABELING_SHARE_CONFIG = "drift.labeling.share";
    public static final double DEFAULT_DRIFT_LABELING_SHARE = 0.1;
    private static final String DRIFT_LABELING_SHARE_DOC = "While the model drifts, this share of its confident "
            + "predictions (chosen by a hash of the image id, so every instance picks the same images) also gets a "
            + "LabelRequest, so that people label what the model now meets and the training worker refits on it. "
            + "0 asks for none.";

    public static final String LABELING_MIN_MARGIN_CONFIG = "labeling.min.margin";
    public static final double DEFAULT_LABELING_MIN_MARGIN = 0.1;
    private static final String LABELING_MIN_MARGIN_DOC = "A prediction whose two most probable classes are closer "
            + "than this gets a LabelRequest. 0 disables the check.";

    public static final String MODEL_SIGNATURE_PUBLIC_KEY_CONFIG = "model.signature.public.key";
    private static final String MODEL_SIGNATURE_PUBLIC_KEY_DOC = "PEM file of the Ed25519 public key versions on the "
            + "control topic must be signed with (imgstream models keygen makes a pair); a version without a valid "
            + "signature is refused and the current model stays. Empty: signatures are not checked.";

    public static final String MODEL_STORE_CONFIG = "model.store";
    public static final String DEFAULT_MODEL_STORE = FileSystemModelStore.DEFAULT_ROOT;
    private static final String MODEL_STORE_DOC = "Root directory of the model store the training worker and "
            + "'imgstream models promote' publish bundles in (relative paths are resolved against the working "
            + "directory). A version on the control topic is loaded only if its bundle location, once normalised, "
            + "is a regular file under this root reached through no symbolic link; any other location is refused "
            + "and the current model stays. model.bundle, the operator's own choice, may be anywhere.";

    public static final String MODEL_BUNDLE_SHA256_CONFIG = "model.bundle.sha256";
    private static final String MODEL_BUNDLE_SHA256_DOC =
            "Expected hex sha256 of the bundle file; when set, a bundle that "
                    + "does not match is refused. Empty: not checked.";

    public static final String SCORING_TOP_K_CONFIG = "scoring.top.k";
    public static final int DEFAULT_SCORING_TOP_K = 3;
    private static final String SCORING_TOP_K_DOC = "How many most-probable classes each prediction lists in topK.";

    public static final String METRICS_JMX_ENABLED_CONFIG = MetricsSettings.JMX_ENABLED_CONFIG;
    public static final String METRICS_PROMETHEUS_PORT_CONFIG = MetricsSettings.PROMETHEUS_PORT_CONFIG;
    public static final String TOPIC_NAME_PREFIX = TopicSettings.PREFIX;

    /** Kafka Streams' poll.ms unless set with the kafka. prefix: short, so lingering batches close on time. */
    static final long DEFAULT_POLL_MS = 5L;
    /** The consumer's own default max.poll.interval.ms. */
    private static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000L;

    private static final long TRANSACTION_TIMEOUT_MARGIN_MS = 30_000L;

    /** The definition of every key. */
    public static final ConfigDef CONFIG = definition();

    /** Parses and validates {@code props}; unknown keys are ignored, {@value #KAFKA_PREFIX} keys are kept for Kafka. */
    public ScorerConfig(Map<?, ?> props) {
        super(CONFIG, props);
        validateGuarantee();
        validateModelSource();
        fetch();
        modelSignaturePublicKey();
        if (getInt(DRIFT_MIN_PREDICTIONS_CONFIG) > getInt(DRIFT_WINDOW_SIZE_CONFIG)) {
            throw new ConfigException(
                    DRIFT_MIN_PREDICTIONS_CONFIG,
                    getInt(DRIFT_MIN_PREDICTIONS_CONFIG),
                    "must be at most " + DRIFT_WINDOW_SIZE_CONFIG + " (" + getInt(DRIFT_WINDOW_SIZE_CONFIG)
                            + "): the window never holds more");
        }
    }

    private static ConfigDef definition() {
        ConfigDef def = ConnectionSettings.define(new ConfigDef())
                .define(MODEL_BUNDLE_CONFIG, Type.STRING, "", Importance.HIGH, MODEL_BUNDLE_DOC)
                .define(MODEL_NAME_CONFIG, Type.STRING, "", Importance.HIGH, MODEL_NAME_DOC)
                .define(
                        MODEL_VERSIONS_FOLLOW_CONFIG,
                        Type.BOOLEAN,
                        DEFAULT_MODEL_VERSIONS_FOLLOW,
                        Importance.MEDIUM,
                        MODEL_VERSIONS_FOLLOW_DOC)
                .define(
                        MODEL_VERSIONS_STARTUP_TIMEOUT_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_MODEL_VERSIONS_STARTUP_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(0),
                        Importance.LOW,
                        MODEL_VERSIONS_STARTUP_TIMEOUT_MS_DOC)
                .define(
                        MODEL_STORE_CONFIG,
                        Type.STRING,
                        DEFAULT_MODEL_STORE,
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        MODEL_STORE_DOC)
                .define(
                        MODEL_BUNDLE_SHA256_CONFIG,
                        Type.STRING,
                        "",
                        new Sha256OrEmpty(),
                        Importance.MEDIUM,
                        MODEL_BUNDLE_SHA256_DOC)
                .define(
                        MODEL_SIGNATURE_PUBLIC_KEY_CONFIG,
                        Type.STRING,
                        "",
                        Importance.MEDIUM,
                        MODEL_SIGNATURE_PUBLIC_KEY_DOC)
                .define(
                        APPLICATION_ID_CONFIG,
                        Type.STRING,
                        DEFAULT_APPLICATION_ID,
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        APPLICATION_ID_DOC)
                .define(
                        PROCESSING_GUARANTEE_CONFIG,
                        Type.STRING,
                        DEFAULT_PROCESSING_GUARANTEE,
                        ValidString.in(StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2),
                        Importance.HIGH,
                        PROCESSING_GUARANTEE_DOC)
                .define(STATE_DIR_CONFIG, Type.STRING, DEFAULT_STATE_DIR, Importance.MEDIUM, STATE_DIR_DOC)
                .define(
                        BATCH_SIZE_CONFIG,
                        Type.INT,
                        DEFAULT_BATCH_SIZE,
                        ConfigDef.Range.between(0, 4096),
                        Importance.HIGH,
                        BATCH_SIZE_DOC)
                .define(
                        BATCH_LINGER_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_BATCH_LINGER_MS,
                        ConfigDef.Range.between(0, 60_000),
                        Importance.HIGH,
                        BATCH_LINGER_MS_DOC)
                .define(
                        BATCH_MAX_IN_FLIGHT_CONFIG,
                        Type.INT,
                        DEFAULT_BATCH_MAX_IN_FLIGHT,
                        ConfigDef.Range.between(1, 8),
                        Importance.LOW,
                        BATCH_MAX_IN_FLIGHT_DOC)
                .define(
                        FETCH_MAX_IN_FLIGHT_BYTES_CONFIG,
                        Type.LONG,
                        DEFAULT_FETCH_MAX_IN_FLIGHT_BYTES,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        FETCH_MAX_IN_FLIGHT_BYTES_DOC)
                .define(
                        BATCH_MEMORY_MAX_BYTES_CONFIG,
                        Type.LONG,
                        DEFAULT_BATCH_MEMORY_MAX_BYTES,
                        ConfigDef.Range.atLeast(1),
                        Importance.MEDIUM,
                        BATCH_MEMORY_MAX_BYTES_DOC)
                .define(
                        MODEL_WARMUP_IMAGES_CONFIG,
                        Type.INT,
                        DEFAULT_MODEL_WARMUP_IMAGES,
                        ConfigDef.Range.between(1, 4096),
                        Importance.LOW,
                        MODEL_WARMUP_IMAGES_DOC)
                .define(
                        FETCH_THREADS_CONFIG,
                        Type.INT,
                        DEFAULT_FETCH_THREADS,
                        ConfigDef.Range.between(1, 256),
                        Importance.MEDIUM,
                        FETCH_THREADS_DOC)
                .define(
                        FETCH_TIMEOUT_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_FETCH_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        FETCH_TIMEOUT_MS_DOC)
                .define(
                        FETCH_RETRY_ATTEMPTS_CONFIG,
                        Type.INT,
                        DEFAULT_FETCH_RETRY_ATTEMPTS,
                        ConfigDef.Range.between(1, 100),
                        Importance.LOW,
                        FETCH_RETRY_ATTEMPTS_DOC)
                .define(
                        FETCH_RETRY_BACKOFF_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_FETCH_RETRY_BACKOFF_MS,
                        ConfigDef.Range.between(0, SourceRetries.MAX_BACKOFF_MS),
                        Importance.LOW,
                        FETCH_RETRY_BACKOFF_MS_DOC)
                .define(
                        INFERENCE_TIMEOUT_MS_CONFIG,
                        Type.LONG,
                        DEFAULT_INFERENCE_TIMEOUT_MS,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        INFERENCE_TIMEOUT_MS_DOC)
                .define(
                        FEATURES_ENABLED_CONFIG,
                        Type.BOOLEAN,
                        DEFAULT_FEATURES_ENABLED,
                        Importance.MEDIUM,
                        FEATURES_ENABLED_DOC)
                .define(
                        LABELING_MIN_CONFIDENCE_CONFIG,
                        Type.DOUBLE,
                        DEFAULT_LABELING_MIN_CONFIDENCE,
                        ConfigDef.Range.between(0.0, 1.0),
                        Importance.LOW,
                        LABELING_MIN_CONFIDENCE_DOC)
                .define(
                        LABELING_MIN_MARGIN_CONFIG,
                        Type.DOUBLE,
                        DEFAULT_LABELING_MIN_MARGIN,
                        ConfigDef.Range.between(0.0, 1.0),
                        Importance.LOW,
                        LABELING_MIN_MARGIN_DOC)
                .define(
                        DRIFT_WINDOW_SIZE_CONFIG,
                        Type.INT,
                        DEFAULT_DRIFT_WINDOW_SIZE,
                        ConfigDef.Range.between(1, 1_000_000),
                        Importance.LOW,
                        DRIFT_WINDOW_SIZE_DOC)
                .define(
                        DRIFT_MIN_PREDICTIONS_CONFIG,
                        Type.INT,
                        DEFAULT_DRIFT_MIN_PREDICTIONS,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        DRIFT_MIN_PREDICTIONS_DOC)
                .define(
                        DRIFT_MIN_REFERENCE_CONFIG,
                        Type.INT,
                        DEFAULT_DRIFT_MIN_REFERENCE,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        DRIFT_MIN_REFERENCE_DOC)
                .define(
                        DRIFT_THRESHOLD_CONFIG,
                        Type.DOUBLE,
                        DEFAULT_DRIFT_THRESHOLD,
                        ConfigDef.Range.between(1e-6, 100.0),
                        Importance.LOW,
                        DRIFT_THRESHOLD_DOC)
                .define(
                        DRIFT_LABELING_SHARE_CONFIG,
                        Type.DOUBLE,
                        DEFAULT_DRIFT_LABELING_SHARE,
                        ConfigDef.Range.between(0.0, 1.0),
                        Importance.LOW,
                        DRIFT_LABELING_SHARE_DOC)
                .define(
                        SCORING_TOP_K_CONFIG,
                        Type.INT,
                        DEFAULT_SCORING_TOP_K,
                        ConfigDef.Range.between(1, 100),
                        Importance.LOW,
                        SCORING_TOP_K_DOC);
        FetchSettings.define(def);
        MetricsSettings.define(def);
        TopicSettings.define(def);
        return def;
    }

    /** Accepts 64 hex digits or nothing. */
    private static final class Sha256OrEmpty implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = (String) value;
            if (text != null && !text.isEmpty() && !text.matches("[0-9a-fA-F]{64}")) {
                throw new ConfigException(name, value, "expected 64 hex digits (a sha256), or empty to skip the check");
            }
        }

        @Override
        public String toString() {
            return "64 hex digits, or empty";
        }
    }

    private void validateGuarantee() {
        Object kafkaGuarantee = originals().get(KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (kafkaGuarantee != null) {
            throw new ConfigException(
                    KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                    kafkaGuarantee,
                    "set " + PROCESSING_GUARANTEE_CONFIG + " instead; the scorer owns its delivery guarantee");
        }
    }

    private void validateModelSource() {
        if (modelBundle().isEmpty() && !modelVersionsFollow()) {
            throw new ConfigException(
                    MODEL_BUNDLE_CONFIG,
                    "",
                    "no model to score with: set " + MODEL_BUNDLE_CONFIG
                            + ", or set " + MODEL_VERSIONS_FOLLOW_CONFIG + "=true and " + MODEL_NAME_CONFIG
                            + " to take the model from the control topic");
        }
        if (modelBundle().isEmpty() && modelName().isEmpty()) {
            throw new ConfigException(
                    MODEL_NAME_CONFIG,
                    "",
                    "required when " + MODEL_BUNDLE_CONFIG
                            + " is empty: name the model whose PROMOTED version on the control topic to score with");
        }
        long maxPollInterval = Long.parseLong(String.valueOf(originals()
                .getOrDefault(
                        KAFKA_PREFIX + StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                        originals()
                                .getOrDefault(
                                        KAFKA_PREFIX + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                                        DEFAULT_MAX_POLL_INTERVAL_MS))));
        if (inferenceTimeout().toMillis() >= maxPollInterval) {
            throw new ConfigException(
                    INFERENCE_TIMEOUT_MS_CONFIG,
                    inferenceTimeout().toMillis(),
                    "must be below the "
                            + "consumer's max.poll.interval.ms (" + maxPollInterval
                            + "), or a slow forward pass gets the "
                            + "instance thrown out of the group; lower it or raise kafka."
                            + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        }
    }

    /**
     * The producer's transaction timeout unless set: the longest the stream thread may wait inside a transaction
     * (a forward pass, then a closing batch's images) and a margin for the rest of the transaction's work.
     */
    int transactionTimeoutMs() {
        long wait = inferenceTimeout().toMillis() + getLong(FETCH_TIMEOUT_MS_CONFIG) + TRANSACTION_TIMEOUT_MARGIN_MS;
        // The producer takes an int; brokers refuse more than transaction.max.timeout.ms (15 min by default) anyway.
        return (int) Math.min(Integer.MAX_VALUE, wait);
    }

    /** Brokers, as Kafka clients expect them. */
    public String bootstrapServers() {
        return ConnectionSettings.bootstrapServers(this);
    }

    /** Registry base URL. */
    public String registryUrl() {
        return ConnectionSettings.registryUrl(this);
    }

    /** Settings for the scorer's own producers and consumers: the brokers plus every {@value #KAFKA_PREFIX} key. */
    public Map<String, Object> clientConfig() {
        return ConnectionSettings.clientConfig(this);
    }

    /** Kafka Streams application id. */
    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    /** The configured model bundle location. */
    public String modelBundle() {
        return getString(MODEL_BUNDLE_CONFIG);
    }

    /** The configured model name, or empty to take the bundle's. */
    public String modelName() {
        return getString(MODEL_NAME_CONFIG);
    }

    /** Whether to follow the control topic. */
    public boolean modelVersionsFollow() {
        return getBoolean(MODEL_VERSIONS_FOLLOW_CONFIG);
    }

    /** How long start-up may read the control topic. */
    public Duration modelVersionsStartupTimeout() {
        return Duration.ofMillis(getLong(MODEL_VERSIONS_STARTUP_TIMEOUT_MS_CONFIG));
    }

    /** The configured batch size; 0 means chosen for the backend. */
    public int batchSize() {
        return getInt(BATCH_SIZE_CONFIG);
    }

    /** Memory one forward pass may need, in bytes. */
    public long batchMemoryMaxBytes() {
        return getLong(BATCH_MEMORY_MAX_BYTES_CONFIG);
    }

    /** Images in a new version's warm-up pass, at most its batch size. */
    public int modelWarmupImages() {
        return getInt(MODEL_WARMUP_IMAGES_CONFIG);
    }

    /** Fetch and decode worker threads. */
    public int fetchThreads() {
        return getInt(FETCH_THREADS_CONFIG);
    }

    /** Decoded image bytes the instance holds before new fetches wait. */
    public long fetchMaxInFlightBytes() {
        return getLong(FETCH_MAX_IN_FLIGHT_BYTES_CONFIG);
    }

    /** Longest wait for one image's fetch. */
    public Duration fetchTimeout() {
        return Duration.ofMillis(getLong(FETCH_TIMEOUT_MS_CONFIG));
    }

    /** How often an image whose source failed is fetched again. */
    public SourceRetries fetchRetries() {
        return new SourceRetries(
                getInt(FETCH_RETRY_ATTEMPTS_CONFIG), Duration.ofMillis(getLong(FETCH_RETRY_BACKOFF_MS_CONFIG)));
    }

    /** Longest wait for a forward pass when batches are full. */
    public Duration inferenceTimeout() {
        return Duration.ofMillis(getLong(INFERENCE_TIMEOUT_MS_CONFIG));
    }

    /**
     * The batching settings; the batch size is the installed model's (see
     * {@link io.imgstream.topology.swap.BatchSizing}).
     */
    public BatchingSettings batching() {
        return new BatchingSettings(
                Duration.ofMillis(getLong(BATCH_LINGER_MS_CONFIG)),
                getInt(BATCH_MAX_IN_FLIGHT_CONFIG),
                fetchTimeout(),
                inferenceTimeout());
    }

    /** Whether bottleneck features are written to the features topic. */
    public boolean featuresEnabled() {
        return getBoolean(FEATURES_ENABLED_CONFIG);
    }

    /** The active-learning thresholds. */
    public LabelingPolicy labeling() {
        return new LabelingPolicy(getDouble(LABELING_MIN_CONFIDENCE_CONFIG), getDouble(LABELING_MIN_MARGIN_CONFIG));
    }

    /** How drift is watched for. */
    public DriftSettings drift() {
        return new DriftSettings(
                getInt(DRIFT_WINDOW_SIZE_CONFIG),
                getInt(DRIFT_MIN_PREDICTIONS_CONFIG),
                getInt(DRIFT_MIN_REFERENCE_CONFIG),
                getDouble(DRIFT_THRESHOLD_CONFIG),
                getDouble(DRIFT_LABELING_SHARE_CONFIG));
    }

    /** Root of the model store announced bundles are read from, absolute and normalised. */
    public Path modelStore() {
        return Path.of(getString(MODEL_STORE_CONFIG)).toAbsolutePath().normalize();
    }

    /** Expected sha256 of the bundle, or empty when not checked. */
    public String modelBundleSha256() {
        return getString(MODEL_BUNDLE_SHA256_CONFIG);
    }

    /** Where images may be fetched from, and how large they may be. */
    public FetchSettings fetch() {
        return FetchSettings.from(this);
    }

    /** Classes listed per prediction. */
    public int topK() {
        return getInt(SCORING_TOP_K_CONFIG);
    }

    /**
     * The key control-topic versions must be signed with, if one is configured.
     *
     * @throws ConfigException if the file is not an Ed25519 public key
     */
    public Optional<PublicKey> modelSignaturePublicKey() {
        String file = getString(MODEL_SIGNATURE_PUBLIC_KEY_CONFIG);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(AnnouncementSignature.readPublicKey(Path.of(file)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(MODEL_SIGNATURE_PUBLIC_KEY_CONFIG, file, e.getMessage());
        }
    }

    /** Which metrics exporters to start. */
    public MetricsSettings metrics() {
        return MetricsSettings.from(this);
    }

    /** The topic catalog, with any names configured under {@value #TOPIC_NAME_PREFIX}. */
    public TopicCatalog topics() {
        return TopicSettings.from(this);
    }

    /** Properties for Kafka Streams: ours, then the {@value #KAFKA_PREFIX} pass-through keys. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(originalsWithPrefix(KAFKA_PREFIX));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(PROCESSING_GUARANTEE_CONFIG));
        props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
        // The stream thread blocks in poll for up to poll.ms when no record arrives; the batcher's linger
        // punctuation and finished forward passes wait for it, so the default 100 ms would add latency.
        props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, DEFAULT_POLL_MS);
        // Kafka 5.0 makes this the default; opting in now keeps behaviour the same across the upgrade.
        props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // The stream thread can wait inside a transaction, for a forward pass (inference.timeout.ms) and then for a
        // closing batch's images (fetch.timeout.ms). Under Kafka Streams' exactly-once default of 10 s the broker
        // would abort the transaction meanwhile and fence the thread; its batch would be scored again, as slowly,
        // and fenced again, for ever. The cost: a crashed instance's open transaction holds back read_committed
        // readers of its partitions until this timeout, unless the instance comes back first.
        if (!props.containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)
                && !props.containsKey(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))) {
            props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), transactionTimeoutMs());
        }
        return props;
    }
}
