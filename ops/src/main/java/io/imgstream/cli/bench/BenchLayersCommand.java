package io.imgstream.cli.bench;

import io.imgstream.bench.LayerProbe;
import io.imgstream.cli.BaseStoreOption;
import io.imgstream.cli.CliException;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.weights.WeightLoadException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream bench layers}: a linear probe on each layer of a stored base, to choose where to cut it (see
 * {@link LayerProbe}).
 */
@Command(
        name = "layers",
        mixinStandardHelpOptions = true,
        description = {
            "Choose where to cut a base: a linear probe (softmax regression on channel averages) on each of its "
                    + "layers, and on the best of them concatenated, from the same few Fashion-MNIST labels as "
                    + "'bench transfer'. Cut at a layer with 'imgstream bases import ... --cut LAYER'."
        })
public final class BenchLayersCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption bases;

    @Option(
            names = "--base",
            required = true,
            paramLabel = "BASE",
            description = "A stored base by name or id; its layers up to its cut are probed.")
    private String baseRef;

    @Option(
            names = "--layer",
            paramLabel = "LAYER",
            description = "A layer to probe; repeat for several (default: every layer after a nonlinearity, a sum, a "
                    + "concatenation or a pooling).")
    private List<String> layers = List.of();

    @Mixin
    private FewLabelsOptions split;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of every probe (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LayerProbe.Settings settings;
        BaseNetwork base;
        List<LayerProbe.Row> rows;
        LayerProbe probe = new LayerProbe(line -> {
            err.println(line);
            err.flush();
        });
        try {
            settings = new LayerProbe.Settings(split.labeled(), split.testImages(), layers, seed);
            BaseStore store = bases.open();
            base = store.load(baseRef);
            rows = probe.run(base, settings);
        } catch (IllegalArgumentException | WeightLoadException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        LayerProbe.print(base, rows, settings, out);
        out.println("Command: imgstream "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        out.flush();
        return CliException.OK;
    }
}
