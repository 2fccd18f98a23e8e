package io.imgstream.cli;

import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.ModelVersionKeys;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.training.publish.ControlTopic;
import io.imgstream.training.publish.ModelAnnouncements;
import io.imgstream.training.publish.VersionAnnouncer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream models rollback}: republishes an earlier version as the current one. */
@Command(name = "rollback",
        mixinStandardHelpOptions = true,
        description = "Make an earlier version of a model current again: it is announced as PROMOTED (scorers "
                + "follow between two batches) and the version it replaces is recorded as ROLLED_BACK.")
public final class ModelsRollbackCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectionOptions connection;

    @Mixin
    private ModelStoreOption store;

    @Mixin
    private SigningKeyOption signing;

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name (e.g. 'fashion-demo').")
    private String name;

    @Option(names = "--to", paramLabel = "VERSION",
            description = "Version to go back to (default: the newest stored version below the current one).")
    private String target;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Control topic (default: ${DEFAULT-VALUE}).",
            defaultValue = "model-versions")
    private String topic = TopicRole.MODEL_VERSIONS.defaultName();

    @Override
    public Integer call() {
        String model = ModelCoordinates.requireName(name);
        Reachability.requireBroker(connection);
        Reachability.requireRegistry(connection);
        ControlTopic control = new ControlTopic(connection.clientProperties(), connection.serdes(), topic);
        Map<String, ModelVersion> records = control.latestByKey();
        ModelVersion current = ControlTopic.current(records, model).orElseThrow(() -> new CliException("'" + topic
                + "' names no current version of " + model + ": there is nothing to roll back", CliException.FAILED));
        FileSystemModelStore modelStore = store.open();
        StoredBundle to = target == null ? previous(modelStore, records, model, current.getVersion())
                : ModelsPromoteCommand.find(modelStore, new ModelCoordinates(model, ModelCoordinates.parseVersion(target)));
        if (to.version() == current.getVersion()) {
            throw new CliException(model + " v" + to.version() + " is already the current version",
                    CliException.BAD_ARGUMENT);
        }
        Instant now = Instant.now();
        ModelVersion replaced = ModelVersion.newBuilder(current).setStatus(ModelStatus.ROLLED_BACK).setCreatedTime(now)
                .build();
        VersionAnnouncer announcer = signing.wrap(control);
        announcer.announce(replaced);
        // The version's own record keeps its holdout evaluation (per-class scores, confusion matrix); the manifest has only accuracy.
        ModelVersion recorded = records.get(ModelVersionKeys.history(model, to.version()));
        announcer.announce(recorded != null && recorded.getBundleSha256().toString().equals(to.sha256())
                ? ModelVersion.newBuilder(recorded).setStatus(ModelStatus.PROMOTED).setCreatedTime(now).build()
                : ModelAnnouncements.of(to, BundleFile.readManifest(Path.of(to.uri())), ModelStatus.PROMOTED, now));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Rolled %s back from v%d to v%d on '%s'; every scorer of the model follows from its next batch.%n",
                model, current.getVersion(), to.version(), topic);
        out.flush();
        return CliException.OK;
    }

    /** The newest stored version below the current one that scorers once ran: never a rejected or shadow-only candidate. */
    private static StoredBundle previous(FileSystemModelStore modelStore, Map<String, ModelVersion> records, String model,
            int current) {
        return modelStore.list().stream()
                .filter(b -> b.modelName().equals(model) && b.version() < current)
                .filter(b -> wasLive(records.get(ModelVersionKeys.history(model, b.version()))))
                .max(Comparator.comparingInt(StoredBundle::version))
                .orElseThrow(() -> new CliException("No stored version of " + model + " below v" + current + " in "
                        + modelStore.root() + " that was ever promoted; give one with --to", CliException.BAD_ARGUMENT));
    }

    /** Versions without a record were stored by hand (or before the control topic kept history): trust them. */
    private static boolean wasLive(ModelVersion record) {
        return record == null || record.getStatus() == ModelStatus.PROMOTED || record.getStatus() == ModelStatus.ROLLED_BACK;
    }
}
