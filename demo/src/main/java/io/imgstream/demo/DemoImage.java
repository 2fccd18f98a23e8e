package io.imgstream.demo;

/**
 * One shipped demo test image.
 *
 * @param fileName file name, e.g. {@code 0007-sneaker.png}; the number is the image's index in the
 *                 Fashion-MNIST test set
 * @param label    its true class, one of {@link DemoModel#classes()}
 */
public record DemoImage(String fileName, String label) {}
