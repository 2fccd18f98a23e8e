package io.imgstream.cli;

import io.imgstream.cli.demo.DemoException;
import io.imgstream.cli.demo.DemoResult;
import io.imgstream.cli.demo.DemoRun;
import io.imgstream.cli.demo.TransferDemoModel;
import io.imgstream.demo.DemoModel;
import io.imgstream.model.weights.WeightLoadException;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.stack.LocalStack;
import io.imgstream.stack.RunningStack;
import io.imgstream.stack.StackConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imgstream demo}: the whole system on built-in data, end to end through a real broker. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run imgstream end to end on built-in data: start the local stack (or use the running one), train the demo "
                    + "model on the shipped Fashion-MNIST subset (first run only), start a scorer, publish the shipped "
                    + "demo images plus two bad references, and print every prediction and dead letter.",
            "With --base, the demo model is fitted on a stored pretrained base instead, with fit's recipe on the "
                    + "shipped labeled images (first run per base only).",
            "The stack keeps running afterwards unless --stop-stack is given.",
            "'imgstream demo images DIR' writes the shipped labeled training images as class folders for 'fit'."
        },
        subcommands = DemoImagesCommand.class)
public final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private WorkDirOption workDir;

    @Mixin
    private BaseStoreOption bases;

    @Option(
            names = "--base",
            paramLabel = "BASE",
            description = "Fit the demo model on this stored pretrained base, as 'imgstream fit --head linear' does, "
                    + "instead of training the small CNN from scratch (first run per base only; see 'imgstream bases "
                    + "import').")
    private String base;

    @Option(
            names = "--per-class",
            paramLabel = "N",
            description = "With --base: shipped labeled images per class to fit on, 1 to " + DemoModel.SHIPPED_PER_CLASS
                    + " (default: " + TransferDemoModel.DEFAULT_PER_CLASS + ").")
    private Integer perClass;

    @Option(names = "--stop-stack", description = "Stop the local stack when the demo ends.")
    private boolean stopStack;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "PT3M",
            description = "How long to wait for all results, ISO-8601 (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (base == null && perClass != null) {
            throw new CliException(
                    "--per-class sets how many labeled images the demo fits a pretrained base on: give --base too",
                    CliException.BAD_ARGUMENT);
        }
        Optional<TransferDemoModel> transfer;
        try {
            transfer = base == null
                    ? Optional.empty()
                    : Optional.of(new TransferDemoModel(
                            bases.open().load(base),
                            perClass == null ? TransferDemoModel.DEFAULT_PER_CLASS : perClass));
        } catch (IllegalArgumentException | WeightLoadException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        // As 'stack up' does: what users publish after the demo is signed, and its scorer checks signatures.
        workDir.signingKeys().createIfAbsent();
        Optional<RunningStack> running = LocalStack.find(workDir.path());
        RunningStack stack;
        if (running.isPresent()) {
            stack = running.get();
            err.printf("Using the local stack running from %s%n", stack.workDir());
        } else {
            err.println("Starting the local stack (Kafka broker + schema registry on 127.0.0.1)...");
            err.flush();
            stack = LocalStack.start(StackConfig.defaults(workDir.path()), err);
        }
        try {
            print(new DemoRun(stack, transfer, out, err).run(timeout), out);
        } catch (DemoException e) {
            throw new CliException("The demo did not complete: " + e.getMessage(), CliException.FAILED, e);
        } finally {
            if (stopStack) {
                stack.stop();
                err.println("Stopped the local stack.");
            } else {
                err.printf(
                        "The stack is still running at %s (registry %s). 'imgstream tail predictions "
                                + "--from-beginning' shows all predictions; 'imgstream stack down' stops it.%n",
                        stack.bootstrapServers(), stack.registryUrl());
            }
        }
        return CliException.OK;
    }

    private static void print(List<DemoResult> results, PrintWriter out) {
        out.printf("%n%-24s %-12s %-12s %6s  %s%n", "IMAGE", "TRUE LABEL", "PREDICTED", "P", "MODEL / DEAD LETTER");
        long labeled = 0;
        long correct = 0;
        for (DemoResult result : results) {
            if (result.prediction() != null) {
                ClassProbability top = result.prediction().getTopK().get(0);
                out.printf(
                        Locale.ROOT,
                        "%-24s %-12s %-12s %6.3f  %s v%d%s%n",
                        result.file(),
                        orDash(result.trueLabel()),
                        top.getLabel(),
                        top.getProbability(),
                        result.prediction().getModelName(),
                        result.prediction().getModelVersion(),
                        result.trueLabel() == null || result.correct() ? "" : "  (wrong)");
                labeled += result.trueLabel() == null ? 0 : 1;
                correct += result.correct() ? 1 : 0;
            } else {
                out.printf(
                        "%-24s %-12s %-12s %6s  %s/%s: %s%n",
                        result.file(),
                        "-",
                        "-",
                        "-",
                        result.deadLetter().getStage(),
                        result.deadLetter().getReason(),
                        result.deadLetter().getMessage());
            }
        }
        out.printf(
                "%n%d of %d labeled demo images predicted correctly; %d dead letter(s).%n",
                correct,
                labeled,
                results.stream().filter(r -> r.deadLetter() != null).count());
        out.flush();
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
