/**
 * Classifier heads trained on cached bottleneck features: {@link io.imgstream.model.head.HeadBuilder}
 * builds Flatten or GlobalAveragePooling → Dense → Dropout → softmax/sigmoid over one or several bases'
 * features, and {@link io.imgstream.model.head.HeadTrainer} trains it with early stopping,
 * reduce-LR-on-plateau, class weights, checkpoints and resume.
 */
package io.imgstream.model.head;
