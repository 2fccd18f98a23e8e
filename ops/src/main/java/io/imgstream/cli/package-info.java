/**
 * The {@code imgstream} command line: one class per command, rooted at
 * {@link io.imgstream.cli.ImgstreamCommand}. Commands print through picocli's writers and report known
 * failures as {@link io.imgstream.cli.CliException}s, which {@link io.imgstream.cli.CliErrorHandler} turns
 * into one sentence and the exception's exit code.
 */
package io.imgstream.cli;
