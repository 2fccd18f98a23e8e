package io.imgstream.cli;

import io.imgstream.clients.publish.PublishProgress;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bases.KerasApplication;
import io.imgstream.model.bases.StoredBase;
import io.imgstream.model.bases.WeightsDownload;
import io.imgstream.model.weights.WeightLoadException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream bases pull NAME}: downloads a Keras application's weights into the base store. */
@Command(
        name = "pull",
        mixinStandardHelpOptions = true,
        description = "Download a Keras application's include_top=False ImageNet weights from where Keras downloads "
                + "them, check them against the md5 Keras publishes, and store them as a base. A cut download "
                + "resumes when run again.")
public final class BasesPullCommand implements Callable<Integer> {

    /** Environment variable naming a mirror, for sites without internet access. */
    static final String MIRROR_ENV = "IMGSTREAM_BASES_MIRROR";

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption store;

    @Parameters(
            paramLabel = "NAME",
            description = "vgg16, vgg19, resnet50, inception_v3, xception, mobilenet or mobilenet_v2.")
    private String name;

    @Option(
            names = "--mirror",
            paramLabel = "URL",
            description = "A mirror with the layout of https://storage.googleapis.com/tensorflow/keras-applications/"
                    + " (http, https or file URL; default: $" + MIRROR_ENV + ", else Keras's own).")
    private URI mirror;

    @Option(names = "--replace", description = "Replace a stored base of the same name.")
    private boolean replace;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "PT30S",
            description = "Bound of connecting and of each read (ISO-8601, default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        KerasApplication application;
        try {
            application = KerasApplication.named(name);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
        URI root = root();
        URI url = application.url(root);
        if (application.md5().isEmpty()) {
            out.printf(
                    "Keras publishes no checksum for %s; the sha256 of what is downloaded is recorded.%n",
                    application.fileName());
        }
        BaseStore bases = store.open();
        StoredBase stored;
        try (ProgressBar bar =
                PublishProgress.bytes(application.baseName(), spec.commandLine().getErr())) {
            stored = bases.pull(
                    application, url, application.md5(), new WeightsDownload(timeout), listener(bar), replace);
        } catch (WeightLoadException e) {
            throw new CliException(e.getMessage(), CliException.FAILED, e);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        out.printf("Stored %s in %s%n", stored.id(), bases.root().resolve(stored.name()));
        BasesShowCommand.describe(stored, out);
        out.flush();
        return CliException.OK;
    }

    private URI root() {
        URI chosen = mirror;
        if (chosen == null) {
            String env = System.getenv(MIRROR_ENV);
            chosen = env == null || env.isBlank() ? KerasApplication.KERAS_DOWNLOADS : URI.create(env.trim());
        }
        String text = chosen.toString();
        return text.endsWith("/") ? chosen : URI.create(text + "/");
    }

    private static WeightsDownload.Listener listener(ProgressBar bar) {
        return new WeightsDownload.Listener() {
            @Override
            public void started(long totalBytes, long resumedAt) {
                bar.maxHint(totalBytes);
                bar.stepTo(resumedAt);
            }

            @Override
            public void advanced(long bytesSoFar) {
                bar.stepTo(bytesSoFar);
            }
        };
    }
}
