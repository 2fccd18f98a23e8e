/** Publishing local image files as {@code ImageRef} events: finding files, deriving ids, producing. */
package io.imgstream.clients.publish;
