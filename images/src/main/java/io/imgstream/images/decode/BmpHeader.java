package io.imgstream.images.decode;

import java.util.Optional;

/**
 * Reads the one field of a BMP header that matters before decoding: the compression. A BMP whose compression
 * is {@code BI_JPEG} (4) or {@code BI_PNG} (5) carries a whole JPEG or PNG file, which the JDK's BMP reader
 * hands to another reader after allocating for the size the BMP header declares, not the size the embedded
 * file has; the pixel check can't vouch for it, so such files are refused.
 */
final class BmpHeader {

    /** Offset of the DIB header's size field: after the 14-byte file header. */
    private static final int DIB_SIZE_OFFSET = 14;
    /** Offset of the compression field in every DIB header but the 12-byte core header. */
    private static final int COMPRESSION_OFFSET = 30;
    /** Size of the OS/2 1.x and Windows 2.x core header, which has no compression field. */
    private static final int CORE_HEADER_SIZE = 12;

    private static final int BI_JPEG = 4;
    private static final int BI_PNG = 5;

    private BmpHeader() {}

    /**
     * The codec a BMP's pixels are stored with, when it is another image format.
     *
     * @param bytes a BMP file (anything shorter than its header is left to the BMP reader to refuse)
     * @return {@code "JPEG"} or {@code "PNG"} for {@code BI_JPEG} or {@code BI_PNG}; empty otherwise
     */
    static Optional<String> embeddedCodec(byte[] bytes) {
        if (bytes.length < COMPRESSION_OFFSET + Integer.BYTES
                || littleEndianInt(bytes, DIB_SIZE_OFFSET) == CORE_HEADER_SIZE) {
            return Optional.empty();
        }
        return switch (littleEndianInt(bytes, COMPRESSION_OFFSET)) {
            case BI_JPEG -> Optional.of("JPEG");
            case BI_PNG -> Optional.of("PNG");
            default -> Optional.empty();
        };
    }

    private static int littleEndianInt(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff)
                | (bytes[offset + 1] & 0xff) << 8
                | (bytes[offset + 2] & 0xff) << 16
                | (bytes[offset + 3] & 0xff) << 24;
    }
}
