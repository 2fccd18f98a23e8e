/**
 * Fast inference paths for plain convolutional bases: the same arithmetic as the DL4J graph, run as raw
 * ND4J custom ops so that the oneDNN build of libnd4j is used without any global switch or shim.
 */
package io.imgstream.model.inference;
