package io.imgstream.cli;

import io.imgstream.control.AnnouncementSignature;
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

    private static final String PRIVATE_FILE = "imgstream-signing.pem";
    private static final String PUBLIC_FILE = "imgstream-signing.pub.pem";

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Directory for " + PRIVATE_FILE + " and " + PUBLIC_FILE + " (default: the current one).")
    private Path out;

    @Override
    public Integer call() throws Exception {
        Path privateKey = out.resolve(PRIVATE_FILE);
        Path publicKey = out.resolve(PUBLIC_FILE);
        if (Files.exists(privateKey) || Files.exists(publicKey)) {
            throw new CliException(
                    privateKey + " or " + publicKey + " exists already; move them away or pass --out",
                    CliException.BAD_ARGUMENT);
        }
        Files.createDirectories(out);
        AnnouncementSignature.write(AnnouncementSignature.generate(), privateKey, publicKey);
        PrintWriter printed = spec.commandLine().getOut();
        printed.printf("Wrote %s (keep it secret) and %s (give it to the scorers).%n", privateKey, publicKey);
        printed.flush();
        return CliException.OK;
    }
}
