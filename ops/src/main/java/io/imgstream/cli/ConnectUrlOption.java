package io.imgstream.cli;

import io.imgstream.cli.connect.ConnectRest;
import io.imgstream.stack.StackConfig;
import picocli.CommandLine.Option;

/** The {@code --connect-url} option shared by the {@code connect} commands. */
public final class ConnectUrlOption {

    /** Where {@code imgstream stack up --connect} runs the worker. */
    public static final String DEFAULT_URL = "http://127.0.0.1:" + StackConfig.DEFAULT_CONNECT_PORT;

    @Option(
            names = "--connect-url",
            paramLabel = "URL",
            defaultValue = DEFAULT_URL,
            description = "REST URL of the Kafka Connect worker (default: ${DEFAULT-VALUE}).")
    private String url;

    /** A client of the worker. */
    ConnectRest client() {
        return new ConnectRest(url);
    }

    /** Turns Connect's refusals into the CLI's one-sentence errors. */
    static CliException failure(ConnectRest.RestException e) {
        return new CliException(e.getMessage(), CliException.FAILED, e);
    }
}
