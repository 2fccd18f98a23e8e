/** The {@code imgstream demo} run: demo model, scorer, demo images, results. */
package io.imgstream.cli.demo;
