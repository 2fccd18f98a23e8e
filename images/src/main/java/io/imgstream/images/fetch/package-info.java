/**
 * Getting the encoded bytes of an untrusted image reference: {@code inline} bytes, {@code file:} under allowed
 * roots, {@code http(s):} from allowed hosts; scheme, root, host and byte caps, each refusal a typed
 * {@link io.imgstream.images.fetch.FetchException}. {@link io.imgstream.images.FetchSettings} defines the
 * {@code fetch.*} keys every application that reads images shares.
 */
package io.imgstream.images.fetch;
