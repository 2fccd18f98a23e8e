package io.imgstream.cli;

import io.imgstream.control.SigningKeyFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imgstream models keygen}: a key pair for signing announcements. */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = "Make an Ed25519 key pair for signing model announcements: the private key for the training "
                + "worker (model.signature.private.key) and 'models promote --signing-key', the public one for "
                + "scorers (model.signature.public.key).")
public final class ModelsKeygenCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Directory for " + SigningKeyFiles.PRIVATE_FILE + " and " + SigningKeyFiles.PUBLIC_FILE
                    + " (default: the current one).")
    private Path out;

    @Override
    public Integer call() throws Exception {
        SigningKeyFiles keys = SigningKeyFiles.in(out);
        Path privateKey = keys.privateKey();
        Path publicKey = keys.publicKey();
        if (Files.exists(privateKey) || Files.exists(publicKey)) {
            throw new CliException(
                    privateKey + " or " + publicKey + " exists already; move them away or pass --out",
                    CliException.BAD_ARGUMENT);
        }
        keys.createIfAbsent();
        PrintWriter printed = spec.commandLine().getOut();
        printed.printf("Wrote %s (keep it secret) and %s (give it to the scorers).%n", privateKey, publicKey);
        printed.flush();
        return CliException.OK;
    }
}
