/** The {@code imgstream bench} subcommands and the measurements behind them. */
package io.imgstream.cli.bench;
