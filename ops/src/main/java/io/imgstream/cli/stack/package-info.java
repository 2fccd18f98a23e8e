/**
 * The local development stack: a single-node KRaft Kafka broker and an Apicurio schema registry, each in
 * its own detached JVM bound to 127.0.0.1, started with imgstream's topics and schemas in place.
 *
 * <p>{@link io.imgstream.cli.stack.LocalStack} is the entry point, configured by
 * {@link io.imgstream.cli.stack.StackConfig}; {@link io.imgstream.cli.stack.RunningStack} is the handle
 * that tests and the {@code demo} command use. Known failures are
 * {@link io.imgstream.cli.stack.StackException}s with a {@link io.imgstream.cli.stack.StackException.Reason}.
 */
package io.imgstream.cli.stack;
