/**
 * A demo model that needs no downloads: {@link io.imgstream.demo.DemoModel} trains a small
 * network on a Fashion-MNIST subset shipped in this module's resources and hands out the shipped
 * test images. Fashion-MNIST is © Zalando SE, MIT licence (see the {@code NOTICE} file next to
 * the resources).
 */
package io.imgstream.demo;
