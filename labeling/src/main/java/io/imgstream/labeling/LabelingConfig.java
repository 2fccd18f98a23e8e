package io.imgstream.labeling;

import io.imgstream.images.FetchSettings;
import io.imgstream.labeling.queue.Uncertainty;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration of the labeling page; every key declared once in {@link #CONFIG}, the {@code fetch.*} keys the
 * scorer's ({@link FetchSettings}), so the page reads images under the same policy.
 */
public final class LabelingConfig extends AbstractConfig {

    public static final String QUEUE_ORDER_CONFIG = "queue.order";
    public static final String DEFAULT_QUEUE_ORDER = "entropy";
    private static final String QUEUE_ORDER_DOC = "How the most useful image to label is chosen: entropy (of the "
            + "model's top guesses, the rest of the probability mass counted as one more class) or margin (the "
            + "smaller the gap between the top two guesses, the sooner).";

    public static final String QUEUE_RANDOM_SHARE_CONFIG = "queue.random.share";
    public static final double DEFAULT_QUEUE_RANDOM_SHARE = 0.1;
    private static final String QUEUE_RANDOM_SHARE_DOC = "Share of the images offered that are picked at random "
            + "from the queue instead of by uncertainty, so the labeled set does not only grow along the model's "
            + "current doubts. 0 never, 1 always.";

    public static final String QUEUE_RANDOM_SEED_CONFIG = "queue.random.seed";
    public static final long DEFAULT_QUEUE_RANDOM_SEED = 42L;
    private static final String QUEUE_RANDOM_SEED_DOC = "Seed of the random picks, so a run can be repeated.";

    public static final String QUEUE_MAX_IMAGES_CONFIG = "queue.max.images";
    public static final int DEFAULT_QUEUE_MAX_IMAGES = 10_000;
    private static final String QUEUE_MAX_IMAGES_DOC = "Most images waiting for a label; past it the least useful "
            + "(of equals, the oldest) is dropped and counted. Requests come from a topic: the queue is bounded.";

    public static final String BUDGET_PER_HOUR_CONFIG = "budget.per.hour";
    public static final int DEFAULT_BUDGET_PER_HOUR = 0;
    private static final String BUDGET_PER_HOUR_DOC = "Most labels accepted in any hour (a sliding window); once "
            + "spent the page says so and accepts no answer until the oldest of them is an hour old. 0: no limit.";

    public static final String BUDGET_PER_DAY_CONFIG = "budget.per.day";
    public static final int DEFAULT_BUDGET_PER_DAY = 0;
    private static final String BUDGET_PER_DAY_DOC =
            "Most labels accepted in any 24 hours (a sliding window). " + "0: no limit.";

    public static final String LABELER_CONFIG = "labeler";
    private static final String LABELER_DOC = "Name the labels are sent under unless the page names another; "
            + "empty: the name of the user running the page.";

    public static final String HTTP_BIND_ADDRESS_CONFIG = "http.bind.address";
    public static final String DEFAULT_HTTP_BIND_ADDRESS = "127.0.0.1";
    private static final String HTTP_BIND_ADDRESS_DOC = "Address the page listens on. The page has no login: bind "
            + "it to another address than the loopback only behind something that authenticates.";

    public static final String HTTP_PORT_CONFIG = "http.port";
    public static final int DEFAULT_HTTP_PORT = 8070;
    private static final String HTTP_PORT_DOC = "Port the page listens on; 0 picks a free one.";

    /** The definition of every key. */
    public static final ConfigDef CONFIG = FetchSettings.define(new ConfigDef()
            .define(
                    QUEUE_ORDER_CONFIG,
                    Type.STRING,
                    DEFAULT_QUEUE_ORDER,
                    ConfigDef.CaseInsensitiveValidString.in("entropy", "margin"),
                    Importance.MEDIUM,
                    QUEUE_ORDER_DOC)
            .define(
                    QUEUE_RANDOM_SHARE_CONFIG,
                    Type.DOUBLE,
                    DEFAULT_QUEUE_RANDOM_SHARE,
                    ConfigDef.Range.between(0.0, 1.0),
                    Importance.LOW,
                    QUEUE_RANDOM_SHARE_DOC)
            .define(
                    QUEUE_RANDOM_SEED_CONFIG,
                    Type.LONG,
                    DEFAULT_QUEUE_RANDOM_SEED,
                    Importance.LOW,
                    QUEUE_RANDOM_SEED_DOC)
            .define(
                    QUEUE_MAX_IMAGES_CONFIG,
                    Type.INT,
                    DEFAULT_QUEUE_MAX_IMAGES,
                    ConfigDef.Range.atLeast(1),
                    Importance.LOW,
                    QUEUE_MAX_IMAGES_DOC)
            .define(
                    BUDGET_PER_HOUR_CONFIG,
                    Type.INT,
                    DEFAULT_BUDGET_PER_HOUR,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    BUDGET_PER_HOUR_DOC)
            .define(
                    BUDGET_PER_DAY_CONFIG,
                    Type.INT,
                    DEFAULT_BUDGET_PER_DAY,
                    ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM,
                    BUDGET_PER_DAY_DOC)
            .define(LABELER_CONFIG, Type.STRING, "", Importance.MEDIUM, LABELER_DOC)
            .define(
                    HTTP_BIND_ADDRESS_CONFIG,
                    Type.STRING,
                    DEFAULT_HTTP_BIND_ADDRESS,
                    new ConfigDef.NonEmptyString(),
                    Importance.HIGH,
                    HTTP_BIND_ADDRESS_DOC)
            .define(
                    HTTP_PORT_CONFIG,
                    Type.INT,
                    DEFAULT_HTTP_PORT,
                    ConfigDef.Range.between(0, 65535),
                    Importance.HIGH,
                    HTTP_PORT_DOC));

    /** @throws org.apache.kafka.common.config.ConfigException naming the key, if a value is invalid */
    public LabelingConfig(Map<?, ?> props) {
        super(CONFIG, props, false);
    }

    public Uncertainty queueOrder() {
        return Uncertainty.valueOf(getString(QUEUE_ORDER_CONFIG).toUpperCase(Locale.ROOT));
    }

    public double queueRandomShare() {
        return getDouble(QUEUE_RANDOM_SHARE_CONFIG);
    }

    public long queueRandomSeed() {
        return getLong(QUEUE_RANDOM_SEED_CONFIG);
    }

    public int queueMaxImages() {
        return getInt(QUEUE_MAX_IMAGES_CONFIG);
    }

    public int budgetPerHour() {
        return getInt(BUDGET_PER_HOUR_CONFIG);
    }

    public int budgetPerDay() {
        return getInt(BUDGET_PER_DAY_CONFIG);
    }

    /** The {@value #LABELER_CONFIG} setting, or the user's name when it is blank. */
    public String labeler() {
        String labeler = getString(LABELER_CONFIG).strip();
        return labeler.isEmpty() ? System.getProperty("user.name", "labeler") : labeler;
    }

    public String httpBindAddress() {
        return getString(HTTP_BIND_ADDRESS_CONFIG);
    }

    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    /**
     * How images are fetched for the page.
     *
     * @throws org.apache.kafka.common.config.ConfigException if http(s) is allowed but no host is
     */
    public FetchSettings fetchSettings() {
        return FetchSettings.from(this);
    }
}
