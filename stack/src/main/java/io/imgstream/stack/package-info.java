/**
 * The local development stack: a single-node KRaft Kafka broker and an Apicurio schema registry, each in
 * its own detached JVM bound to 127.0.0.1, started with imgstream's topics and schemas in place.
 *
 * <p>{@link io.imgstream.stack.LocalStack} is the entry point, configured by
 * {@link io.imgstream.stack.StackConfig}; {@link io.imgstream.stack.RunningStack} is the handle
 * that tests and the {@code demo} command use. Known failures are
 * {@link io.imgstream.stack.StackException}s with a {@link io.imgstream.stack.StackException.Reason}.
 */
package io.imgstream.stack;
