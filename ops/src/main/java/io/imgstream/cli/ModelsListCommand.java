package io.imgstream.cli;

import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleFormatException;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.avro.ModelVersion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imgstream models list}: one line per bundle in the model store. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List the bundles in the model store: name, version, size in bytes, sha256 prefix, creation "
                + "time and holdout accuracy (if recorded). Reads only each bundle's manifest; with --status, also "
                + "the control topic, for what each version is now (current, canary and its share, shadow, ...).")
public final class ModelsListCommand implements Callable<Integer> {

    /** Metric key shown in the ACCURACY column, as written by the demo model's training. */
    static final String HOLDOUT_ACCURACY = "holdoutAccuracy";

    private static final int SHA256_PREFIX = 12;
    private static final String FORMAT = "%-20s %7s %10s %-12s %-20s %s%n";
    private static final String STATUS_FORMAT = "%-20s %7s %10s %-12s %-20s %-16s %s%n";
    private static final String NONE = "-";

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelStoreOption store;

    @Mixin
    private ControlStatusOptions status;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        FileSystemModelStore modelStore = store.open();
        List<StoredBundle> bundles = modelStore.list();
        if (bundles.isEmpty()) {
            out.printf("No bundles in %s%n", modelStore.root());
            out.flush();
            return CliException.OK;
        }
        Optional<Map<String, ModelVersion>> records = status.records();
        if (records.isPresent()) {
            out.printf(STATUS_FORMAT, "NAME", "VERSION", "SIZE", "SHA256", "CREATED", "STATUS", "ACCURACY");
        } else {
            out.printf(FORMAT, "NAME", "VERSION", "SIZE", "SHA256", "CREATED", "ACCURACY");
        }
        for (StoredBundle bundle : bundles) {
            String created;
            String accuracy;
            try {
                BundleManifest manifest = BundleFile.readManifest(Path.of(bundle.uri()));
                created = manifest.createdAt().toString();
                Double holdout = manifest.metrics().get(HOLDOUT_ACCURACY);
                accuracy = holdout == null ? NONE : String.format(Locale.ROOT, "%.3f", holdout);
            } catch (BundleFormatException e) {
                // One unreadable bundle must not hide the others; its line says what is wrong.
                created = "CORRUPT";
                accuracy = e.getMessage();
            }
            List<Object> columns = new ArrayList<>(List.of(
                    bundle.modelName(),
                    "v" + bundle.version(),
                    bundle.sizeBytes(),
                    bundle.sha256().substring(0, SHA256_PREFIX),
                    created));
            records.ifPresent(
                    latest -> columns.add(ControlStatusOptions.of(latest, bundle.modelName(), bundle.version())));
            columns.add(accuracy);
            out.printf(records.isPresent() ? STATUS_FORMAT : FORMAT, columns.toArray());
        }
        out.flush();
        return CliException.OK;
    }
}
