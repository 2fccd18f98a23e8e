/** Kafka Connect connectors: the image folder source and the predictions file sink. */
package io.imgstream.connect;
