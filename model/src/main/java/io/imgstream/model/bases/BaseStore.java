package io.imgstream.model.bases;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.ImportedBase;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.weights.CorruptWeightsException;
import io.imgstream.model.weights.Dl4jZipSource;
import io.imgstream.model.weights.KerasH5Source;
import io.imgstream.model.weights.KerasWeightsFile;
import io.imgstream.model.weights.LoadedNetwork;
import io.imgstream.model.weights.NsfwjsPackage;
import io.imgstream.model.weights.TfjsLayersSource;
import io.imgstream.model.weights.WeightLoadException;
import io.imgstream.model.weights.WeightSource;
import io.imgstream.model.weights.WeightsNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Pretrained bases kept on disk under one root (default {@value #DEFAULT_ROOT}), each in its own directory: the file
 * it was imported from, as it came, and a {@code base.json} ({@link StoredBase}) saying how to load it. The worker,
 * {@code fit}, {@code explain} and bundles name a base by its store name or its id.
 *
 * <p>Adding a base is atomic: the file is copied into a staging directory, loaded once (so a file that does not load
 * is refused before it is stored), described, and the directory is renamed into place. Loading checks that the
 * base still computes what it did when it was stored (same id), so a file changed on disk is refused.
 *
 * <p>Thread-safe for reads; two processes adding the same name at once leave one of them.
 */
public final class BaseStore {

    /** Where bases are kept unless told otherwise, relative to the working directory. */
    public static final String DEFAULT_ROOT = ".imgstream/bases";

    private static final String MANIFEST = "base.json";
    private static final String STAGING = ".staging";
    private static final String DOWNLOADS = ".downloads";
    private static final String ARCHITECTURE_JSON = "architecture.json";
    private static final String TFJS_MODEL_JSON = "model.json";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};
    private static final byte[] GZIP_SIGNATURE = {0x1f, (byte) 0x8b};
    private static final String DEFAULT_NSFWJS_MODEL = "mobilenet_v2";
    private static final long VGG_SEED = 0;
    private static final int RGB = 3;
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    /** @param root the store's directory; created when the first base is added */
    public BaseStore(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /** The store's directory. */
    public Path root() {
        return root;
    }

    /** Every stored base, by name. */
    public List<StoredBase> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<StoredBase> bases = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path dir : entries.sorted().toList()) {
                Path manifest = dir.resolve(MANIFEST);
                if (!dir.getFileName().toString().startsWith(".") && Files.isRegularFile(manifest)) {
                    bases.add(readManifest(manifest));
                }
            }
        }
        bases.sort(Comparator.comparing(StoredBase::name));
        return bases;
    }

    /**
     * The base a reference names: its store name, its id ({@code name@sha256}), or its id with at least 12 digits.
     *
     * @throws WeightsNotFoundException naming the bases there are and how to add one
     */
    public StoredBase find(String ref) throws WeightsNotFoundException {
        List<StoredBase> bases;
        try {
            bases = list();
        } catch (IOException e) {
            throw new WeightsNotFoundException("could not read the base store " + root + ": " + e.getMessage(), e);
        }
        return bases.stream()
                .filter(b -> b.matches(ref))
                .findFirst()
                .orElseThrow(() -> new WeightsNotFoundException("no base '" + ref + "' in " + root + " (there are: "
                        + (bases.isEmpty()
                                ? "none"
                                : String.join(
                                        ", ",
                                        bases.stream().map(StoredBase::name).toList()))
                        + "); add one with 'imgstream bases pull NAME' or 'imgstream bases import PATH'"));
    }

    /**
     * Loads a stored base at its recorded input size.
     *
     * @throws WeightsNotFoundException if there is no such base
     * @throws CorruptWeightsException  if its file no longer loads or no longer computes the recorded id
     */
    public BaseNetwork load(String ref) throws WeightLoadException {
        return load(find(ref), OptionalInt.empty());
    }

    /**
     * Loads a stored base.
     *
     * @param inputSize another input height and width, for a fully convolutional base (VGG) only
     * @throws CorruptWeightsException  if its file no longer loads or no longer computes the recorded id
     * @throws IllegalArgumentException if an input size is given for a base that is not fully convolutional
     */
    public BaseNetwork load(StoredBase base, OptionalInt inputSize) throws WeightLoadException {
        Path dir = root.resolve(base.name());
        Preprocessing preprocessing = base.preprocessing();
        if (inputSize.isPresent() && inputSize.getAsInt() != preprocessing.height()) {
            if (vggVariant(base.architecture()).isEmpty()) {
                throw new IllegalArgumentException(base.name() + " takes " + preprocessing.height() + "x"
                        + preprocessing.width() + " images only; only VGG bases take other sizes");
            }
            preprocessing = new Preprocessing(
                    inputSize.getAsInt(),
                    inputSize.getAsInt(),
                    preprocessing.channels(),
                    preprocessing.scaling(),
                    preprocessing.resize());
        }
        BaseNetwork network = build(
                base.name(),
                base.architecture(),
                base.format(),
                dir.resolve(base.file()),
                base.member(),
                base.bottleneckLayer(),
                base.dataFormat(),
                preprocessing);
        if (!network.id().equals(base.id())) {
            throw new CorruptWeightsException(base.name() + " in " + dir + " now computes " + network.id()
                    + ", not the " + base.id() + " it was stored as: its file changed; import it again");
        }
        return network;
    }

    /**
     * Downloads a Keras application's {@code include_top=False} weights and stores them as a base named after it.
     *
     * @param url         {@link KerasApplication#url} under Keras's own downloads or a mirror with the same layout
     * @param expectedMd5 the md5 the file must have ({@link KerasApplication#md5()}); empty where none is published
     * @param replace     whether an existing base of that name is replaced
     * @throws DownloadException if the download fails or the file is not the one expected
     */
    public StoredBase pull(
            KerasApplication application,
            URI url,
            Optional<String> expectedMd5,
            WeightsDownload download,
            WeightsDownload.Listener listener,
            boolean replace)
            throws WeightLoadException, IOException {
        Path target = root.resolve(DOWNLOADS).resolve(application.fileName());
        WeightsDownload.Result result;
        try {
            result = download.fetch(url, target, expectedMd5, listener);
        } catch (DownloadException e) {
            throw e.unreachable()
                    ? new DownloadException(
                            "Could not download " + application.baseName() + " from " + url + " (" + e.getCause()
                                    + "). Without network, fetch that file elsewhere and run 'imgstream bases import "
                                    + application.fileName() + "', or set --mirror to a mirror of "
                                    + KerasApplication.KERAS_DOWNLOADS + ".",
                            true,
                            e)
                    : e;
        }
        try {
            return add(new ImportRequest(
                    result.file(),
                    Optional.of(application.baseName()),
                    Optional.of(application),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(url.toString()),
                    replace));
        } finally {
            Files.deleteIfExists(result.file());
        }
    }

    /**
     * Imports a file into the store.
     *
     * @throws WeightsNotFoundException if the source does not exist
     * @throws CorruptWeightsException  if it is no network this store can read, or does not load
     * @throws IllegalArgumentException if the request lacks what an unknown architecture needs (cut layer, input size,
     *                                  scaling), or a base of that name exists and {@code replace} is false
     */
    public StoredBase add(ImportRequest request) throws WeightLoadException, IOException {
        Path source = request.source().toAbsolutePath();
        if (!Files.exists(source)) {
            throw new WeightsNotFoundException("nothing to import at " + source);
        }
        BaseFormat format = formatOf(source);
        Optional<KerasApplication> application = request.architecture()
                .or(() -> KerasApplication.ofFileName(source.getFileName().toString()));
        Defaults defaults = defaults(format, application, request);
        String name = request.name().orElse(defaults.name());
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "base name '" + name + "' must be lowercase letters, digits, '.', '_' or '-' (at most 64)");
        }
        Path target = root.resolve(name);
        if (Files.exists(target) && !request.replace()) {
            throw new IllegalArgumentException("a base named '" + name + "' is already stored in " + target
                    + "; give another --name or --replace it");
        }
        Path staging = root.resolve(STAGING).resolve(name + "-" + UUID.randomUUID());
        Files.createDirectories(staging);
        try {
            String file = copyInto(source, format, staging);
            if (request.architectureJson().isPresent()) {
                Files.copy(request.architectureJson().get(), staging.resolve(ARCHITECTURE_JSON));
            }
            Preprocessing preprocessing = new Preprocessing(
                    defaults.inputSize(), defaults.inputSize(), RGB, defaults.scaling(), ResizePolicy.SQUASH);
            BaseNetwork network = build(
                    name,
                    defaults.architecture(),
                    format,
                    staging.resolve(file),
                    defaults.member(),
                    defaults.cutLayer(),
                    defaults.dataFormat(),
                    preprocessing);
            StoredBase stored = new StoredBase(
                    name,
                    network.id(),
                    defaults.architecture(),
                    format,
                    file,
                    defaults.member(),
                    network.preprocessing(),
                    network.dataFormat(),
                    network.bottleneckLayer(),
                    Arrays.stream(network.featureShape()).boxed().toList(),
                    FileDigests.of(staging.resolve(file)).sha256(),
                    request.origin().orElse(source.toString()),
                    Instant.now());
            JSON.writeValue(staging.resolve(MANIFEST).toFile(), stored);
            install(staging, target);
            return stored;
        } finally {
            if (Files.exists(staging)) {
                FileUtils.deleteDirectory(staging.toFile());
            }
        }
    }

    private record Defaults(
            String name,
            String architecture,
            String member,
            String cutLayer,
            int inputSize,
            PixelScaling scaling,
            CNN2DFormat dataFormat) {}

    private static Defaults defaults(BaseFormat format, Optional<KerasApplication> application, ImportRequest request)
            throws WeightLoadException {
        if (format == BaseFormat.NSFWJS) {
            String member = request.member().orElse(DEFAULT_NSFWJS_MODEL);
            boolean inception = member.startsWith("inception");
            return new Defaults(
                    "nsfwjs." + member,
                    inception ? KerasApplication.INCEPTION_V3.baseName() : KerasApplication.MOBILENET_V2.baseName(),
                    member,
                    request.cutLayer().orElse(inception ? "mixed10" : "out_relu"),
                    request.inputSize().orElse(inception ? 299 : 224),
                    // nsfwjs divides pixels by 255, unlike Keras's own preprocess_input.
                    request.scaling().orElse(PixelScaling.UNIT),
                    CNN2DFormat.NHWC);
        }
        CNN2DFormat dataFormat = format == BaseFormat.DL4J_ZIP ? CNN2DFormat.NCHW : CNN2DFormat.NHWC;
        if (application.isPresent()) {
            KerasApplication app = application.get();
            if (format == BaseFormat.KERAS_WEIGHTS
                    && !app.builtIn()
                    && request.architectureJson().isEmpty()) {
                throw new IllegalArgumentException(request.source() + " holds weights only; imgstream builds VGG16 "
                        + "and VGG19 itself, but " + app.baseName() + " needs its architecture: pass the JSON of "
                        + "Keras's model.to_json() with --architecture-json, or import a whole model saved with "
                        + "model.save()");
            }
            return new Defaults(
                    app.baseName(),
                    app.baseName(),
                    null,
                    request.cutLayer().orElse(app.bottleneckLayer()),
                    request.inputSize().orElse(app.inputSize()),
                    request.scaling().orElse(app.scaling()),
                    app.builtIn() ? CNN2DFormat.NCHW : dataFormat);
        }
        if (format == BaseFormat.KERAS_WEIGHTS && request.architectureJson().isEmpty()) {
            throw new IllegalArgumentException(request.source() + " holds weights only and is not a Keras "
                    + "application imgstream recognises by its file name: say which with --architecture (vgg16, "
                    + "vgg19), or pass the model's architecture JSON with --architecture-json");
        }
        String missing = Stream.of(
                        request.cutLayer().isEmpty() ? "--cut LAYER (the bottleneck)" : null,
                        request.inputSize().isEmpty() ? "--input SIZE" : null,
                        request.scaling().isEmpty() ? "--scaling (UNIT, TF or CAFFE_BGR)" : null)
                .filter(Objects::nonNull)
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    request.source() + " is not one of the Keras applications, so say how to use it: " + missing);
        }
        String stem = source(request).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return new Defaults(
                stem,
                StoredBase.CUSTOM_ARCHITECTURE,
                null,
                request.cutLayer().get(),
                request.inputSize().get(),
                request.scaling().get(),
                dataFormat);
    }

    private static String source(ImportRequest request) {
        String file = request.source().getFileName().toString();
        int dot = file.indexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private static BaseNetwork build(
            String name,
            String architecture,
            BaseFormat format,
            Path file,
            String member,
            String cutLayer,
            CNN2DFormat dataFormat,
            Preprocessing preprocessing)
            throws WeightLoadException {
        Optional<VggBase.Variant> vgg = vggVariant(architecture);
        if (vgg.isPresent() && (format == BaseFormat.KERAS_WEIGHTS || format == BaseFormat.KERAS_MODEL)) {
            try {
                return VggBase.random(vgg.get(), preprocessing.height(), preprocessing.width(), VGG_SEED)
                        .withKerasWeights(KerasWeightsFile.read(file));
            } catch (IllegalArgumentException e) {
                throw new CorruptWeightsException(
                        file + " does not hold " + architecture + " weights: " + e.getMessage(), e);
            }
        }
        WeightSource source = switch (format) {
            case KERAS_WEIGHTS -> KerasH5Source.weightsInto(file.resolveSibling(ARCHITECTURE_JSON), file);
            case KERAS_MODEL -> KerasH5Source.wholeModel(file);
            case TFJS -> TfjsLayersSource.fromModelJson(file.resolve(TFJS_MODEL_JSON));
            case NSFWJS -> NsfwjsPackage.open(file).model(member);
            case DL4J_ZIP -> Dl4jZipSource.of(file);
        };
        LoadedNetwork loaded = source.load();
        try {
            return ImportedBase.cut(name, loaded, cutLayer, dataFormat, preprocessing);
        } catch (IllegalArgumentException e) {
            throw new CorruptWeightsException(
                    "can't use " + source.description() + " as a base cut at '" + cutLayer + "': " + e.getMessage()
                            + lastLayers(loaded.graph()),
                    e);
        }
    }

    private static String lastLayers(ComputationGraph graph) {
        List<String> order = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            order.add(graph.getVertices()[index].getVertexName());
        }
        return " (its last layers: " + String.join(", ", order.subList(Math.max(0, order.size() - 6), order.size()))
                + ")";
    }

    private static Optional<VggBase.Variant> vggVariant(String architecture) {
        return Stream.of(VggBase.Variant.values())
                .filter(v -> v.baseName().equals(architecture))
                .findFirst();
    }

    private static BaseFormat formatOf(Path source) throws WeightLoadException, IOException {
        if (Files.isDirectory(source)) {
            if (Files.isRegularFile(source.resolve(TFJS_MODEL_JSON))) {
                return BaseFormat.TFJS;
            }
            throw new CorruptWeightsException(source + " is a directory without a TF.js " + TFJS_MODEL_JSON);
        }
        if (source.getFileName().toString().equals(TFJS_MODEL_JSON)) {
            return BaseFormat.TFJS;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(source)) {
            head = in.readNBytes(ZIP_SIGNATURE.length);
        }
        if (startsWith(head, ZIP_SIGNATURE)) {
            return BaseFormat.DL4J_ZIP;
        }
        if (startsWith(head, GZIP_SIGNATURE)) {
            return BaseFormat.NSFWJS;
        }
        return KerasWeightsFile.isWholeModel(source) ? BaseFormat.KERAS_MODEL : BaseFormat.KERAS_WEIGHTS;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    // A TF.js model is its directory; everything else is one file, kept under its own name.
    private static String copyInto(Path source, BaseFormat format, Path staging) throws IOException {
        if (format != BaseFormat.TFJS) {
            String file = source.getFileName().toString();
            Files.copy(source, staging.resolve(file));
            return file;
        }
        Path dir = Files.isDirectory(source) ? source : source.getParent();
        Path model = Files.createDirectory(staging.resolve("tfjs"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .toList()) {
                Files.copy(file, model.resolve(file.getFileName()));
            }
        }
        return model.getFileName().toString();
    }

    private static void install(Path staging, Path target) throws IOException {
        if (Files.exists(target)) {
            Path old = target.resolveSibling(STAGING).resolve(target.getFileName() + "-replaced-" + UUID.randomUUID());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            FileUtils.deleteDirectory(old.toFile());
        } else {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static StoredBase readManifest(Path manifest) throws IOException {
        try {
            return JSON.readValue(manifest.toFile(), StoredBase.class);
        } catch (IOException e) {
            throw new IOException("unreadable base description " + manifest + ": " + e.getMessage(), e);
        }
    }
}
