package io.imgstream.cli;

import io.imgstream.control.CanaryRollout;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.Rollback;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.avro.ModelVersion;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream models rollback}: republishes an earlier version as the current one, or ends a canary. */
@Command(
        name = "rollback",
        mixinStandardHelpOptions = true,
        description = "Make an earlier version of a model current again: it is announced as PROMOTED (scorers "
                + "follow between two batches; a running canary ends) and the version it replaces is recorded as "
                + "ROLLED_BACK. With --canary, end the running canary instead: it is recorded as ROLLED_BACK and "
                + "the current version scores every image again.")
public final class ModelsRollbackCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ControlTopicOptions control;

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name (e.g. 'fashion-demo').")
    private String name;

    @Option(
            names = "--to",
            paramLabel = "VERSION",
            description = "Version to go back to (default: the newest stored version below the current one).")
    private String target;

    @Option(names = "--canary", description = "End the model's running canary; the current version stays.")
    private boolean canary;

    @Override
    public Integer call() {
        if (canary && target != null) {
            throw new CliException(
                    "--canary ends the canary and leaves the current version; it takes no --to",
                    CliException.BAD_ARGUMENT);
        }
        String topic = control.topic();
        String model = ModelCoordinates.requireName(name);
        ControlTopic controlTopic = control.open();
        Map<String, ModelVersion> records = controlTopic.latestByKey();
        if (canary) {
            return stopCanary(controlTopic, records, model, topic);
        }
        ModelVersion current = ControlTopic.current(records, model)
                .orElseThrow(() -> new CliException(
                        "'" + topic + "' names no current version of " + model + ": there is nothing to roll back",
                        CliException.FAILED));
        FileSystemModelStore modelStore = control.store().open();
        StoredBundle to = target == null
                ? previous(modelStore, records, model, current.getVersion())
                : ModelsPromoteCommand.find(
                        modelStore, new ModelCoordinates(model, ModelCoordinates.parseVersion(target)));
        if (to.version() == current.getVersion()) {
            throw new CliException(
                    model + " v" + to.version() + " is already the current version", CliException.BAD_ARGUMENT);
        }
        Rollback.plan(records, current, to, Instant.now()).announceWith(control.announcer(controlTopic));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Rolled %s back from v%d to v%d on '%s'; every scorer of the model follows from its next batch.%n",
                model, current.getVersion(), to.version(), topic);
        out.println(control.signing());
        out.flush();
        return CliException.OK;
    }

    private int stopCanary(ControlTopic controlTopic, Map<String, ModelVersion> records, String model, String topic) {
        ModelVersion running = ControlTopic.canary(records, model)
                .orElseThrow(() -> new CliException(
                        "'" + topic + "' names no canary of " + model + ": there is nothing to roll back",
                        CliException.FAILED));
        control.announcer(controlTopic).announce(CanaryRollout.stop(running, Instant.now()));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Ended the canary %s v%d (%d%% of the images) on '%s'; every scorer of the model scores every image "
                        + "with the current version from its next batch.%n",
                model, running.getVersion(), running.getCanaryPercent(), topic);
        out.println(control.signing());
        out.flush();
        return CliException.OK;
    }

    private static StoredBundle previous(
            FileSystemModelStore modelStore, Map<String, ModelVersion> records, String model, int current) {
        return Rollback.previousLive(modelStore.list(), records, model, current)
                .orElseThrow(() -> new CliException(
                        "No stored version of " + model + " below v" + current + " in " + modelStore.root()
                                + " that was ever promoted; give one with --to",
                        CliException.BAD_ARGUMENT));
    }
}
