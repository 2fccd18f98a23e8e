package io.imgstream.cli;

import io.imgstream.cli.connect.ConnectRest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream connect delete}: removes a connector; its offsets stay, so creating it again resumes. */
@Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = "Delete a connector. Its offsets stay: created again under the same name, it resumes.")
public final class ConnectDeleteCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectUrlOption connect;

    @Parameters(index = "0", paramLabel = "NAME", description = "Connector name.")
    private String name;

    @Override
    public Integer call() {
        try {
            connect.client().delete(name);
        } catch (ConnectRest.RestException e) {
            throw ConnectUrlOption.failure(e);
        }
        spec.commandLine().getOut().printf("Deleted connector '%s'.%n", name);
        spec.commandLine().getOut().flush();
        return CliException.OK;
    }
}
