package io.imgstream.cli;

import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bases.ImportRequest;
import io.imgstream.model.bases.KerasApplication;
import io.imgstream.model.bases.StoredBase;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.weights.WeightLoadException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream bases import PATH}: stores a pretrained network from a file as a base. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Store a pretrained network as a base: a Keras .h5 (model.save() or save_weights(); "
                + "weights-only files of VGG16/VGG19 need nothing else), a TF.js layers directory or model.json, an "
                + "nsfwjs npm tarball (.tgz), or a DL4J model zip. The file is loaded once before it is stored.")
public final class BasesImportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption store;

    @Parameters(paramLabel = "PATH", description = "The file or TF.js directory to import.")
    private Path source;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Store name (default: the architecture's, nsfwjs.MODEL, or the file's).")
    private String name;

    @Option(
            names = "--architecture",
            paramLabel = "NAME",
            description = "The Keras application the file holds, when its file name does not say (vgg16, vgg19, "
                    + "resnet50, inception_v3, xception, mobilenet, mobilenet_v2).")
    private String architecture;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "The model inside an nsfwjs tarball: mobilenet_v2 (default) or inception_v3.")
    private String member;

    @Option(
            names = "--cut",
            paramLabel = "LAYER",
            description = "The bottleneck layer whose activations are the features (default: the architecture's "
                    + "last layer).")
    private String cut;

    @Option(
            names = "--input",
            paramLabel = "SIZE",
            description = "Input height and width in pixels (default: the architecture's).")
    private Integer input;

    @Option(
            names = "--scaling",
            paramLabel = "SCALING",
            description = "Pixel scaling the network was trained with: ${COMPLETION-CANDIDATES} (default: the "
                    + "architecture's).")
    private PixelScaling scaling;

    @Option(
            names = "--architecture-json",
            paramLabel = "FILE",
            description = "Keras model.to_json() output, for a weights-only .h5 of an architecture other than VGG.")
    private Path architectureJson;

    @Option(names = "--replace", description = "Replace a stored base of the same name.")
    private boolean replace;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BaseStore bases = store.open();
        StoredBase stored;
        try {
            stored = bases.add(new ImportRequest(
                    source,
                    Optional.ofNullable(name),
                    Optional.ofNullable(architecture).map(KerasApplication::named),
                    Optional.ofNullable(member),
                    Optional.ofNullable(cut),
                    Optional.ofNullable(input),
                    Optional.ofNullable(scaling),
                    Optional.ofNullable(architectureJson),
                    Optional.empty(),
                    replace));
        } catch (IllegalArgumentException e) {
            throw new CliException("Can't import " + source + ": " + e.getMessage(), CliException.BAD_ARGUMENT, e);
        } catch (WeightLoadException e) {
            throw new CliException("Can't import " + source + ": " + e.getMessage(), CliException.FAILED, e);
        }
        out.printf("Stored %s in %s%n", stored.id(), bases.root().resolve(stored.name()));
        BasesShowCommand.describe(stored, out);
        out.flush();
        return CliException.OK;
    }
}
