package io.imgstream.cli;

import io.imgstream.cli.connect.ConnectRest;
import io.imgstream.cli.connect.ConnectorType;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream connect create}: creates a connector (or updates its configuration). */
@Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Create an imgstream connector on the Connect worker, or update its configuration. "
                + "image-folder: --set roots=DIR[,DIR]; predictions-files: --set directory=DIR [--set format=csv].")
public final class ConnectCreateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectUrlOption connect;

    @Option(
            names = "--registry-url",
            paramLabel = "URL",
            defaultValue = ConnectionOptions.DEFAULT_REGISTRY_URL,
            description = "Schema registry the connector serialises against (default: ${DEFAULT-VALUE}).")
    private String registryUrl;

    @Parameters(index = "0", paramLabel = "NAME", description = "Connector name.")
    private String name;

    @Option(
            names = "--type",
            required = true,
            paramLabel = "TYPE",
            description = "image-folder (folders of images to 'images' and 'feedback') or predictions-files "
                    + "('predictions' to JSON Lines or CSV files).")
    private String type;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Connector setting (repeatable).")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() {
        ConnectorType connectorType;
        try {
            connectorType = ConnectorType.of(type);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT);
        }
        ConnectRest rest = connect.client();
        try {
            boolean created = rest.put(name, connectorType.config(registryUrl, settings));
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    "%s connector '%s' (%s); 'imgstream connect status %s' shows its tasks.%n",
                    created ? "Created" : "Updated", name, connectorType.typeName(), name);
            out.flush();
            return CliException.OK;
        } catch (ConnectRest.RestException e) {
            throw ConnectUrlOption.failure(e);
        }
    }
}
