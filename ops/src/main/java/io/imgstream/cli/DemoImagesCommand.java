package io.imgstream.cli;

import io.imgstream.demo.DemoModel;
import io.imgstream.demo.TrainingImageFolders;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream demo images DIR}: the shipped labeled images as a tree that {@code imgstream fit} reads. */
@Command(
        name = "images",
        mixinStandardHelpOptions = true,
        description = "Write the demo's shipped Fashion-MNIST training images (28x28 grey PNG) into one folder per "
                + "class (t-shirt-top, trouser, ... ankle-boot), the first N of each class: real labeled images for "
                + "'imgstream fit', without a download. The directory must be new or empty.")
public final class DemoImagesCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Where the class folders go.")
    private Path dir;

    @Option(
            names = "--per-class",
            paramLabel = "N",
            defaultValue = "" + DemoModel.SHIPPED_PER_CLASS,
            description = "Images per class, 1 to " + DemoModel.SHIPPED_PER_CLASS + " (default: ${DEFAULT-VALUE}).")
    private int perClass;

    @Override
    public Integer call() {
        Map<String, Integer> written;
        try {
            written = TrainingImageFolders.write(dir, perClass);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Wrote %d images, %d per class, to %s: %s%n",
                written.values().stream().mapToInt(Integer::intValue).sum(),
                perClass,
                dir,
                String.join(", ", written.keySet()));
        out.flush();
        return CliException.OK;
    }
}
