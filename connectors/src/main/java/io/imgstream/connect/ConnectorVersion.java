package io.imgstream.connect;

/** The version the connectors report to Kafka Connect: the jar's implementation version. */
public final class ConnectorVersion {

    private ConnectorVersion() {}

    /** The version, or "unknown" when run from classes outside a jar. */
    public static String get() {
        String version = ConnectorVersion.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }
}
