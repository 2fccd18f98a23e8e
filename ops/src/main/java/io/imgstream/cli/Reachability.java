package io.imgstream.cli;

import io.imgstream.schemas.RegistryAdmin;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Checks, before a command starts work, that the broker and the registry answer, so a user gets one
 * sentence saying what to do instead of a client retrying for minutes.
 */
public final class Reachability {

    /** How long a check waits for an answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Reachability() {
    }

    /** @throws CliException with {@link CliException#BROKER_UNREACHABLE} if no broker answers within {@link #TIMEOUT} */
    public static void requireBroker(ConnectionOptions connection) {
        Properties props = connection.clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .clusterId().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new CliException("Couldn't connect to Kafka at " + connection.bootstrapServers() + " within "
                    + TIMEOUT.toSeconds() + " s. Is it running? Start the local one with 'imgstream stack up', "
                    + "or pass --bootstrap-servers.", CliException.BROKER_UNREACHABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while connecting to Kafka", CliException.INTERRUPTED);
        }
    }

    /** @throws CliException with {@link CliException#REGISTRY_UNREACHABLE} if the registry does not answer */
    public static void requireRegistry(ConnectionOptions connection) {
        if (!new RegistryAdmin(connection.registryUrl(), TIMEOUT).isReachable()) {
            throw new CliException("Couldn't reach the schema registry at " + connection.registryUrl()
                    + ". Is it running? Start the local one with 'imgstream stack up', or pass --registry-url.",
                    CliException.REGISTRY_UNREACHABLE);
        }
    }
}
