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
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Checks, before a command starts work, that the broker and the registry answer, so a user gets one
 * sentence saying what to do instead of a client retrying for minutes.
 */
public final class Reachability {

    /** How long a check waits for an answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Reachability() {}

    /**
     * @throws CliException with {@link CliException#BROKER_UNREACHABLE} if no broker answers within {@link #TIMEOUT},
     *                      or the broker refuses the client's credentials
     */
    public static void requireBroker(ConnectionOptions connection) {
        Properties props = connection.clientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .clusterId()
                    .get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException refused) {
                throw new CliException(
                        "Kafka at " + connection.bootstrapServers()
                                + " refused this client's credentials (" + refused.getMessage()
                                + "): check the security settings (--kafka-config, --kafka-property, or "
                                + "kafka.* keys of the config file).",
                        CliException.BROKER_UNREACHABLE);
            }
            throw unreachable(connection);
        } catch (TimeoutException e) {
            throw unreachable(connection);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while connecting to Kafka", CliException.INTERRUPTED);
        }
    }

    private static CliException unreachable(ConnectionOptions connection) {
        return new CliException(
                "Couldn't connect to Kafka at " + connection.bootstrapServers() + " within "
                        + TIMEOUT.toSeconds() + " s. Is it running? Start the local one with 'imgstream stack up', "
                        + "or pass --bootstrap-servers.",
                CliException.BROKER_UNREACHABLE);
    }

    /** @throws CliException with {@link CliException#REGISTRY_UNREACHABLE} if the registry does not answer */
    public static void requireRegistry(ConnectionOptions connection) {
        if (!new RegistryAdmin(connection.registryUrl(), TIMEOUT).isReachable()) {
            throw new CliException(
                    "Couldn't reach the schema registry at " + connection.registryUrl()
                            + ". Is it running? Start the local one with 'imgstream stack up', or pass --registry-url.",
                    CliException.REGISTRY_UNREACHABLE);
        }
    }
}
