package io.imgstream.cli.demo;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.control.SigningKeyFiles;
import io.imgstream.demo.DemoImage;
import io.imgstream.demo.DemoModel;
import io.imgstream.demo.TrainingImageFolders;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.stack.RunningStack;
import io.imgstream.stack.StackConfig;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The demo, end to end on a running local stack: a model trained on the shipped Fashion-MNIST subset and
 * kept in the work directory's model store, a scorer started in this JVM, the shipped demo images
 * published (plus two bad references, to show dead letters), and every result read back and printed.
 */
public final class DemoRun {

    /** Model name of the demo model. */
    public static final String MODEL_NAME = "fashion-demo";
    /** Application id of the demo's scorer. */
    public static final String APPLICATION_ID = "imgstream-demo-scorer";

    private static final int MODEL_VERSION = 1;
    private static final long SEED = 42;
    private static final Duration SCORER_START_TIMEOUT = Duration.ofSeconds(90);

    private final RunningStack stack;
    private final Optional<TransferDemoModel> transfer;
    private final Path workDir;
    private final PrintWriter out;
    private final PrintWriter progress;

    /**
     * @param transfer a model to fit on a pretrained base, or empty for the small CNN trained from scratch
     * @param out      where the results go
     * @param progress where progress lines go
     */
    public DemoRun(RunningStack stack, Optional<TransferDemoModel> transfer, PrintWriter out, PrintWriter progress) {
        this.stack = stack;
        this.transfer = transfer;
        this.workDir = stack.workDir();
        this.out = out;
        this.progress = progress;
    }

    /**
     * Runs the demo.
     *
     * @param timeout how long to wait for every image's result
     * @return the results, one per published reference, in publishing order
     * @throws DemoException if the scorer does not start or results are missing after {@code timeout}
     */
    public List<DemoResult> run(Duration timeout) throws IOException, InterruptedException {
        StoredBundle bundle = demoModel();
        List<Path> images = DemoModel.extractDemoImages(workDir.resolve("demo-images"));
        Path imageRoot = images.get(0).getParent();
        Map<String, String> labels = new HashMap<>();
        for (DemoImage image : DemoModel.demoImages()) {
            // A model fitted on class folders names its classes as the folders are named.
            labels.put(
                    image.fileName(),
                    transfer.isPresent() ? TrainingImageFolders.folderName(image.label()) : image.label());
        }
        List<ImageRef> refs = new ArrayList<>();
        for (Path image : images) {
            refs.add(ImageRefs.of(image, false, "imgstream-demo", Instant.now()));
        }
        refs.addAll(badReferences(imageRoot));

        ScorerConfig config = scorerConfig(bundle, imageRoot);
        TopicCatalog topics = config.topics();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(stack.registryUrl());
        try (ScorerApp scorer = ScorerApp.start(config);
                TopicTail results = new TopicTail(
                        clientProperties(),
                        serdes,
                        List.of(topics.name(TopicRole.PREDICTIONS), topics.name(TopicRole.IMAGES_DLQ)),
                        false)) {
            progress.printf(
                    "Starting the scorer (model %s v%d)...%n",
                    scorer.model().name(), scorer.model().version());
            progress.flush();
            if (!scorer.awaitRunning(SCORER_START_TIMEOUT)) {
                throw new DemoException("the scorer did not reach RUNNING within " + SCORER_START_TIMEOUT.toSeconds()
                        + " s (state " + scorer.state() + ")");
            }
            publish(refs, serdes, topics.name(TopicRole.IMAGES));
            return collect(refs, labels, results, timeout);
        }
    }

    private StoredBundle demoModel() throws IOException {
        FileSystemModelStore store = modelStore();
        if (transfer.isPresent()) {
            Optional<StoredBundle> fitted = transfer.get().stored(store);
            if (fitted.isPresent()) {
                progress.printf("Using the demo model in %s%n", fitted.get().uri());
                return fitted.get();
            }
            progress.printf(
                    "Fitting %s on %d shipped labeled images per class with the base %s (first run only)...%n",
                    transfer.get().modelName(),
                    transfer.get().perClass(),
                    transfer.get().base().id());
            progress.flush();
            return transfer.get().fit(workDir, store, progress);
        }
        Optional<StoredBundle> existing = store.list().stream()
                .filter(b -> b.modelName().equals(MODEL_NAME) && b.version() == MODEL_VERSION)
                .findFirst();
        if (existing.isPresent()) {
            progress.printf("Using the demo model in %s%n", existing.get().uri());
            return existing.get();
        }
        progress.println("Training the demo model on the shipped Fashion-MNIST subset (first run only)...");
        progress.flush();
        long started = System.nanoTime();
        ModelBundle trained = DemoModel.train(MODEL_NAME, MODEL_VERSION, SEED, progress);
        StoredBundle stored = store.save(trained);
        progress.printf(
                Locale.ROOT,
                "Trained in %.0f s, holdout accuracy %.3f; saved to %s%n",
                (System.nanoTime() - started) / 1e9,
                trained.manifest().metrics().get(DemoModel.HOLDOUT_ACCURACY),
                stored.uri());
        return stored;
    }

    /** The work directory's model store, the one the CLI's commands use by default. */
    private FileSystemModelStore modelStore() {
        return new FileSystemModelStore(workDir.resolve("models"));
    }

    /** A text file named like an image, and a file outside the allowed roots: both must become dead letters. */
    private static List<ImageRef> badReferences(Path imageRoot) throws IOException {
        Path notAnImage = imageRoot.resolve("not-an-image.jpg");
        Files.writeString(notAnImage, "this is text, not a JPEG\n", StandardCharsets.UTF_8);
        ImageRef outside = ImageRef.newBuilder()
                .setId("outside-allowed-root")
                .setUri("file:///etc/passwd")
                .setSource("imgstream-demo")
                .setEventTime(Instant.now())
                .setAttributes(Map.of(ImageRefs.FILENAME_ATTRIBUTE, "/etc/passwd"))
                .build();
        return List.of(ImageRefs.of(notAnImage, false, "imgstream-demo", Instant.now()), outside);
    }

    private ScorerConfig scorerConfig(StoredBundle bundle, Path imageRoot) {
        Map<String, Object> props = new HashMap<>();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ScorerConfig.REGISTRY_URL_CONFIG, stack.registryUrl());
        props.put(ScorerConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(ScorerConfig.STATE_DIR_CONFIG, workDir.resolve("streams").toString());
        props.put(ScorerConfig.MODEL_BUNDLE_CONFIG, Path.of(bundle.uri()).toString());
        props.put(ScorerConfig.MODEL_BUNDLE_SHA256_CONFIG, bundle.sha256());
        props.put(ScorerConfig.MODEL_STORE_CONFIG, modelStore().root().toString());
        SigningKeyFiles.in(workDir.resolve(StackConfig.SIGNING_KEYS_DIR))
                .existingPublicKey()
                .ifPresent(key -> props.put(ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG, key.toString()));
        props.put(FetchSettings.ALLOWED_ROOTS_CONFIG, imageRoot.toString());
        return new ScorerConfig(props);
    }

    private Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        return props;
    }

    private void publish(List<ImageRef> refs, RegistrySerdes serdes, String topic) {
        try (ImagePublisher publisher = new ImagePublisher(clientProperties(), serdes, topic)) {
            refs.forEach(publisher::publish);
            publisher.flush();
        }
        progress.printf("Published %d image references to '%s'; waiting for the results...%n", refs.size(), topic);
        progress.flush();
    }

    private List<DemoResult> collect(
            List<ImageRef> refs, Map<String, String> labels, TopicTail results, Duration timeout) {
        Map<String, DemoResult> byId = new LinkedHashMap<>();
        refs.forEach(ref -> byId.put(ref.getId(), null));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (byId.containsValue(null) && System.nanoTime() < deadline) {
            results.follow(
                    byId.size(),
                    Duration.ofSeconds(1),
                    record -> {
                        SpecificRecord value = record.value();
                        if (byId.containsKey(record.key()) && byId.get(record.key()) == null) {
                            ImageRef ref = refs.stream()
                                    .filter(r -> r.getId().equals(record.key()))
                                    .findFirst()
                                    .orElseThrow();
                            String file = ref.getAttributes().get(ImageRefs.FILENAME_ATTRIBUTE);
                            if (value instanceof Prediction p) {
                                byId.put(record.key(), DemoResult.predicted(file, labels.get(file), p));
                            } else if (value instanceof DeadLetter d) {
                                byId.put(record.key(), DemoResult.deadLettered(file, d));
                            }
                        }
                    },
                    problem -> progress.println("skipped undecodable record " + problem));
        }
        List<String> missing = byId.entrySet().stream()
                .filter(e -> e.getValue() == null)
                .map(Map.Entry::getKey)
                .toList();
        if (!missing.isEmpty()) {
            throw new DemoException(missing.size() + " of " + refs.size() + " images got no result within "
                    + timeout.toSeconds() + " s: " + missing + "; see the scorer's log above");
        }
        return List.copyOf(byId.values());
    }
}
