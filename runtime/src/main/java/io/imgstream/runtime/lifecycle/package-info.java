/** How imgstream's Kafka Streams applications (the scorer, the worker's labeled set) run: failed threads, start-up. */
package io.imgstream.runtime.lifecycle;
