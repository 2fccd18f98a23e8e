/**
 * Data augmentation for fine-tuning: seeded random geometric and brightness changes of images
 * ({@link io.imgstream.model.augment.ImageAugmenter}) and class balancing by oversampling
 * ({@link io.imgstream.model.augment.ClassBalancer}).
 */
package io.imgstream.model.augment;
