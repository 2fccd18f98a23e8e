/**
 * From encoded bytes to pixels under {@link io.imgstream.images.decode.ImageLimits}: format sniffing, byte and
 * pixel caps read from the header before anything is allocated, and typed refusals.
 */
package io.imgstream.images.decode;
