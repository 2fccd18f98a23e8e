package io.imgstream.cli;

import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bases.StoredBase;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imgstream bases list}: one line per stored base. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List the stored bases: name, architecture, input size, features, bottleneck layer and id.")
public final class BasesListCommand implements Callable<Integer> {

    private static final String FORMAT = "%-28s %-14s %-9s %-14s %-22s %s%n";
    private static final int ID_DIGITS = 12;

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption store;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        BaseStore bases = store.open();
        List<StoredBase> stored = bases.list();
        if (stored.isEmpty()) {
            out.printf(
                    "No bases in %s; add one with 'imgstream bases pull vgg16' or 'imgstream bases import PATH'%n",
                    bases.root());
            out.flush();
            return CliException.OK;
        }
        out.printf(FORMAT, "NAME", "ARCHITECTURE", "INPUT", "FEATURES", "BOTTLENECK", "ID");
        for (StoredBase base : stored) {
            out.printf(
                    FORMAT,
                    base.name(),
                    base.architecture(),
                    base.preprocessing().height() + "x" + base.preprocessing().width(),
                    features(base),
                    base.bottleneckLayer(),
                    base.id().name() + "@" + base.id().weightsSha256().substring(0, ID_DIGITS));
        }
        out.flush();
        return CliException.OK;
    }

    /** One image's features as {@code 512x7x7}. */
    static String features(StoredBase base) {
        return base.featureShape().stream().map(String::valueOf).collect(Collectors.joining("x"));
    }
}
