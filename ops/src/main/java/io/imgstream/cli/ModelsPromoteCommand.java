package io.imgstream.cli;

import io.imgstream.control.CanaryRollout;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream models promote}: announces a stored bundle as the current, shadow or canary version. */
@Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = "Announce a bundle of the model store on the control topic as the model's current version "
                + "(every scorer of the model adopts it between two batches; a running canary ends), with --shadow "
                + "as the version scored beside it into predictions-shadow, or with --canary as the version that "
                + "scores a share of the images instead of it.")
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

    @ArgGroup(exclusive = true)
    private Role role = new Role();

    /** What the version becomes instead of the current one; at most one. */
    static final class Role {

        @Option(names = "--shadow", description = "Announce it as the shadow version instead of the current one.")
        boolean shadow;

        @Option(
                names = "--canary",
                paramLabel = "PERCENT",
                description = "Announce it as the canary: it scores PERCENT (1 to 99) of the images instead of the "
                        + "current version, each image always in the same arm (a hash of its id); run it again "
                        + "with another PERCENT to change the share without reloading the model, promote the "
                        + "version without --canary to make it current, or end it with 'imgstream models "
                        + "rollback NAME --canary'.")
        Integer canaryPercent;
    }

    @Override
    public Integer call() {
        Integer percent = role.canaryPercent;
        if (percent != null && !CanaryRollout.validPercent(percent)) {
            throw new CliException(
                    "--canary must be a share of the images from " + CanaryRollout.MIN_PERCENT + " to "
                            + CanaryRollout.MAX_PERCENT + " percent, got " + percent + " (to give a version every "
                            + "image, promote it without --canary)",
                    CliException.BAD_ARGUMENT);
        }
        String topic = control.topic();
        ModelCoordinates coordinates = ModelCoordinates.parse(name, version);
        StoredBundle stored = find(control.store().open(), coordinates);
        ModelStatus status =
                role.shadow ? ModelStatus.SHADOW : percent != null ? ModelStatus.CANARY : ModelStatus.PROMOTED;
        Instant now = Instant.now();
        ModelVersion announcement =
                ModelAnnouncements.of(stored, BundleFile.readManifest(Path.of(stored.uri())), status, now);
        ControlTopic controlTopic = control.open();
        Optional<ModelVersion> canary = Optional.empty();
        if (status != ModelStatus.SHADOW) {
            Map<String, ModelVersion> latest = controlTopic.latestByKey();
            canary = ControlTopic.canary(latest, coordinates.name());
            if (percent != null) {
                requireNotCurrent(latest, coordinates);
                announcement = CanaryRollout.start(announcement, percent, now);
            }
        }
        control.announcer(controlTopic).announce(announcement);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Announced %s v%d as %s on '%s' (bundle %s, sha256 %s).%n",
                coordinates.name(),
                coordinates.version(),
                switch (status) {
                    case SHADOW -> "the shadow version";
                    case CANARY -> "the canary on " + percent + "% of the images";
                    default -> "the current version";
                },
                topic,
                stored.uri(),
                stored.sha256().substring(0, 12));
        out.println(
                switch (status) {
                    case SHADOW -> "Scorers of the model score every batch with it too, into predictions-shadow.";
                    case CANARY ->
                        "Every scorer of the model verifies it and scores the images of its share with "
                                + "it (arm CANARY on their predictions), and the rest with the current version.";
                    default -> "Every scorer of the model verifies it and scores with it from its next batch.";
                });
        canary.filter(running -> status == ModelStatus.CANARY)
                .ifPresent(running -> out.printf(
                        running.getVersion() == coordinates.version()
                                ? "Its share was %2$d%%; scorers keep the model they loaded.%n"
                                : "It replaces the canary v%d (%d%% of the images).%n",
                        running.getVersion(),
                        running.getCanaryPercent()));
        canary.filter(running -> status == ModelStatus.PROMOTED)
                .ifPresent(running -> out.printf(
                        "The canary %s v%d (%d%% of the images) ends%s.%n",
                        coordinates.name(),
                        running.getVersion(),
                        running.getCanaryPercent(),
                        running.getVersion() == coordinates.version() ? ": it is the current version now" : ""));
        out.println(control.signing());
        out.flush();
        return CliException.OK;
    }

    private static void requireNotCurrent(Map<String, ModelVersion> latest, ModelCoordinates coordinates) {
        ControlTopic.current(latest, coordinates.name())
                .filter(current -> current.getVersion() == coordinates.version())
                .ifPresent(current -> {
                    throw new CliException(
                            coordinates.name() + " v" + coordinates.version()
                                    + " is the current version already; a canary must be another version",
                            CliException.BAD_ARGUMENT);
                });
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
