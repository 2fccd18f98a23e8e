/** The Kafka Connect REST API as the CLI uses it, and the imgstream connector types it knows. */
package io.imgstream.cli.connect;
