package io.imgstream.model.inference;

/** A graph has a layer, wiring or setting that {@link FastConvBase} cannot reproduce exactly. */
public final class UnsupportedGraphException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is unsupported, naming the layer
     */
    public UnsupportedGraphException(String message) {
        super(message);
    }
}
