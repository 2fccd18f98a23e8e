package io.imgstream.cli;

import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicSpec;
import io.imgstream.stack.StackConfig;
import io.imgstream.stack.TopicProvisioner;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code imgstream topics create}: creates every topic of the catalog on a broker. */
@Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Create every imgstream topic on a Kafka cluster (compacted ones with cleanup.policy=compact). "
                + "Topics that already exist are left as they are.")
public final class TopicsCreateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    // The registry option comes along unused: one set of connection options, security settings included, everywhere.
    @Mixin
    private ConnectionOptions connection;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "" + StackConfig.DEFAULT_PARTITIONS,
            description = "Partitions of each new topic (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(
            names = "--replication-factor",
            paramLabel = "N",
            defaultValue = "1",
            description = "Replicas of each partition, at most the number of brokers (default: ${DEFAULT-VALUE}).")
    private short replicationFactor;

    @Override
    public Integer call() {
        requireAtLeastOne("--partitions", partitions);
        requireAtLeastOne("--replication-factor", replicationFactor);
        Reachability.requireBroker(connection);
        TopicCatalog catalog = TopicCatalog.defaults();
        TopicProvisioner.Result result;
        try (Admin admin = Admin.create(connection.clientProperties())) {
            result = TopicProvisioner.createAll(admin, catalog, partitions, replicationFactor, Reachability.TIMEOUT);
        } catch (InvalidReplicationFactorException e) {
            throw new CliException(e.getMessage() + ": lower --replication-factor", CliException.BAD_ARGUMENT, e);
        }
        PrintWriter out = spec.commandLine().getOut();
        for (TopicSpec topic : catalog.all()) {
            String what = result.created().contains(topic.name())
                    ? "created (" + partitions + " partitions, replication factor " + replicationFactor + ")"
                    : "already exists";
            out.printf("%-20s %s%s%n", topic.name(), what, topic.compacted() ? ", compacted" : "");
        }
        out.printf(
                "%d topics created, %d already there on %s.%n",
                result.created().size(), result.existing().size(), connection.bootstrapServers());
        out.flush();
        return CliException.OK;
    }

    private void requireAtLeastOne(String option, int value) {
        if (value < 1) {
            throw new ParameterException(spec.commandLine(), option + " must be at least 1, got " + value);
        }
    }
}
