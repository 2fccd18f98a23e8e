package io.imgstream.cli;

import io.imgstream.model.bases.StoredBase;
import io.imgstream.model.weights.WeightsNotFoundException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream bases show REF}: everything the store records about one base. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Show what the store records about one base: id, architecture, input, scaling, data format, "
                + "bottleneck, features, file and where it came from.")
public final class BasesShowCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption store;

    @Parameters(paramLabel = "BASE", description = "Store name or id (name@sha256, at least 12 digits).")
    private String ref;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StoredBase base;
        try {
            base = store.open().find(ref);
        } catch (WeightsNotFoundException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        out.printf("Base %s%n", base.name());
        out.printf("  id            %s%n", base.id());
        describe(base, out);
        out.printf("  file          %s (%s, sha256 %s)%n", base.file(), base.format(), base.fileSha256());
        if (base.member() != null) {
            out.printf("  model         %s%n", base.member());
        }
        out.printf("  origin        %s%n", base.origin());
        out.printf("  imported      %s%n", base.importedAt());
        out.flush();
        return CliException.OK;
    }

    /** The lines {@code pull}, {@code import} and {@code show} share: what the base expects and gives. */
    static void describe(StoredBase base, PrintWriter out) {
        out.printf("  architecture  %s%n", base.architecture());
        out.printf(
                "  input         %dx%dx%d, %s scaling, %s%n",
                base.preprocessing().height(),
                base.preprocessing().width(),
                base.preprocessing().channels(),
                base.preprocessing().scaling(),
                base.dataFormat());
        out.printf("  features      %s at %s%n", BasesListCommand.features(base), base.bottleneckLayer());
    }
}
