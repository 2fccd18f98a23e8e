/** The page and its JSON endpoints, on the JDK HTTP server. */
package io.imgstream.labeling.web;
