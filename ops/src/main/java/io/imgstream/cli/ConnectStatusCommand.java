package io.imgstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgstream.cli.connect.ConnectRest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream connect status}: the connectors and their tasks. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show each connector's state and its tasks' states (with the error of a failed task).")
public final class ConnectStatusCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConnectUrlOption connect;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "One connector (default: all).")
    private String name;

    @Override
    public Integer call() {
        ConnectRest rest = connect.client();
        PrintWriter out = spec.commandLine().getOut();
        try {
            List<JsonNode> statuses = new ArrayList<>();
            if (name != null) {
                statuses.add(rest.status(name));
            } else {
                rest.statuses().forEach(entry -> statuses.add(entry.get("status")));
            }
            if (statuses.isEmpty()) {
                out.println("No connectors: 'imgstream connect create' adds one.");
            }
            boolean allRunning = true;
            for (JsonNode status : statuses) {
                String state = status.at("/connector/state").asText();
                allRunning &= "RUNNING".equals(state);
                out.printf(
                        "%-24s %-8s %s%n",
                        status.get("name").asText(), status.path("type").asText(), state);
                for (JsonNode task : status.path("tasks")) {
                    allRunning &= "RUNNING".equals(task.get("state").asText());
                    out.printf(
                            "  task %-3d %s%s%n",
                            task.get("id").asInt(),
                            task.get("state").asText(),
                            task.hasNonNull("trace")
                                    ? ": "
                                            + task.get("trace")
                                                    .asText()
                                                    .lines()
                                                    .findFirst()
                                                    .orElse("")
                                    : "");
                }
            }
            out.flush();
            return allRunning ? CliException.OK : CliException.FAILED;
        } catch (ConnectRest.RestException e) {
            throw ConnectUrlOption.failure(e);
        }
    }
}
