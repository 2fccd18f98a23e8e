package io.imgstream.schemas;

import java.util.Arrays;

/**
 * Checks that the JVM lets Avro deserialize imgstream's generated classes.
 *
 * <p>Avro only instantiates specific-record classes from packages listed in the system property
 * {@value #PROPERTY}, read once when Avro's classes load; setting it from code later is too late and
 * would be a hidden global. The {@code imgstream} launcher and the build pass it; anything else that
 * embeds imgstream must pass {@code -D}{@value #PROPERTY}{@code =}{@value #PACKAGE} itself. This check
 * turns Avro's late {@code SecurityException} into an early, explicit error.
 */
public final class AvroTrust {

    /** The Avro system property listing trusted packages. */
    public static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
    /** The package of imgstream's generated Avro classes. */
    public static final String PACKAGE = "io.imgstream.schemas.avro";

    private AvroTrust() {}

    /**
     * @throws IllegalStateException naming the JVM flag to add, if the generated classes are not trusted
     */
    public static void requireTrusted() {
        String value = System.getProperty(PROPERTY, "");
        boolean trusted = Arrays.stream(value.split(","))
                .map(String::trim)
                .anyMatch(p -> p.equals("*") || PACKAGE.equals(p) || PACKAGE.startsWith(p + "."));
        if (!trusted) {
            throw new IllegalStateException("Avro will refuse to read imgstream records: start the JVM with -D"
                    + PROPERTY + "=" + PACKAGE + " (found '" + value + "')");
        }
    }
}
