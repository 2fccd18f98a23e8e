package io.imgstream.cli;

import io.imgstream.control.ControlTopic;
import io.imgstream.control.ModelAnnouncements;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream models promote}: announces a stored bundle as the current (or shadow) version. */
@Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = "Announce a bundle of the model store on the control topic as the model's current version "
                + "(every scorer of the model adopts it between two batches), or with --shadow as the version "
                + "scored beside it into predictions-shadow.")
public final class ModelsPromoteCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ControlTopicOptions control;

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name, or NAME:VERSION (e.g. 'fashion-demo:2').")
    private String name;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "VERSION",
            description = "Model version (e.g. '2' or 'v2'); required unless given as NAME:VERSION.")
    private String version;

    @Option(names = "--shadow", description = "Announce it as the shadow version instead of the current one.")
    private boolean shadow;

    @Override
    public Integer call() {
        String topic = control.topic();
        ModelCoordinates coordinates = ModelCoordinates.parse(name, version);
        StoredBundle stored = find(control.store().open(), coordinates);
        ModelVersion announcement = ModelAnnouncements.of(
                stored,
                BundleFile.readManifest(Path.of(stored.uri())),
                shadow ? ModelStatus.SHADOW : ModelStatus.PROMOTED,
                Instant.now());
        ControlTopic controlTopic = control.open();
        control.announcer(controlTopic).announce(announcement);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Announced %s v%d as %s on '%s' (bundle %s, sha256 %s).%n",
                coordinates.name(),
                coordinates.version(),
                shadow ? "the shadow version" : "the current version",
                topic,
                stored.uri(),
                stored.sha256().substring(0, 12));
        out.println(
                shadow
                        ? "Scorers of the model score every batch with it too, into predictions-shadow."
                        : "Every scorer of the model verifies it and scores with it from its next batch.");
        out.println(control.signing());
        out.flush();
        return CliException.OK;
    }

    /** The stored bundle of {@code coordinates}, or a usage error naming the store. */
    static StoredBundle find(FileSystemModelStore modelStore, ModelCoordinates coordinates) {
        return modelStore.list().stream()
                .filter(b -> b.modelName().equals(coordinates.name()) && b.version() == coordinates.version())
                .findFirst()
                .orElseThrow(() -> new CliException(
                        "No bundle " + coordinates.name() + " v" + coordinates.version()
                                + " in " + modelStore.root() + ": 'imgstream models list --store " + modelStore.root()
                                + "' shows the stored ones",
                        CliException.BAD_ARGUMENT));
    }
}
