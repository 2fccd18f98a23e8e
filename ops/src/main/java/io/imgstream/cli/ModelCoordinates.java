package io.imgstream.cli;

import io.imgstream.model.bundle.BundleManifest;

/**
 * A model version as users type it: {@code NAME VERSION} or {@code NAME:VERSION}, the version as {@code 3} or
 * {@code v3}. Parsing errors are {@link CliException}s that show the accepted forms.
 *
 * @param name    model name
 * @param version model version, 1 or higher
 */
record ModelCoordinates(String name, int version) {

    private static final String VERSION_SEPARATOR = ":";

    /**
     * @param name    the NAME or NAME:VERSION argument
     * @param version the VERSION argument, or null when given as NAME:VERSION
     */
    static ModelCoordinates parse(String name, String version) {
        String modelName = name;
        String versionText = version;
        int separator = name.lastIndexOf(VERSION_SEPARATOR);
        if (separator >= 0) {
            if (version != null) {
                throw badArgument("Give the version once: either NAME:VERSION or NAME VERSION, not both");
            }
            modelName = name.substring(0, separator);
            versionText = name.substring(separator + 1);
        }
        return new ModelCoordinates(requireName(modelName), parseVersion(versionText));
    }

    /** Checks a model name as the model store accepts it. */
    static String requireName(String name) {
        if (!BundleManifest.MODEL_NAME_PATTERN.matcher(name).matches()) {
            throw badArgument("'" + name + "' is not a model name (letters, digits, '.', '_', '-'); "
                    + "'imgstream models list' shows the stored ones");
        }
        return name;
    }

    /** Parses {@code 3} or {@code v3}. */
    static int parseVersion(String text) {
        if (text == null || text.isEmpty()) {
            throw badArgument("Missing the version: give NAME VERSION or NAME:VERSION (e.g. 'fashion-demo:1')");
        }
        String digits = text.startsWith("v") ? text.substring(1) : text;
        try {
            int parsed = Integer.parseInt(digits);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted forms.
        }
        throw badArgument("'" + text + "' is not a model version: give a whole number from 1 (e.g. '3' or 'v3')");
    }

    private static CliException badArgument(String message) {
        return new CliException(message, CliException.BAD_ARGUMENT);
    }
}
