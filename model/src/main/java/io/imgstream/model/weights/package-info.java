/**
 * Weight sources: loading pretrained networks from the formats users bring (TF.js layers models,
 * the nsfwjs npm bundle format, Keras {@code .h5}, DL4J model zips and the DL4J zoo) into a DL4J
 * {@link org.deeplearning4j.nn.graph.ComputationGraph}, each with the sha256 of the weight bytes it read.
 *
 * <p>Every failure is a {@link io.imgstream.model.weights.WeightLoadException} subtype that says which
 * file or model failed and why: {@link io.imgstream.model.weights.WeightsNotFoundException},
 * {@link io.imgstream.model.weights.CorruptWeightsException},
 * {@link io.imgstream.model.weights.UnsupportedModelException} and
 * {@link io.imgstream.model.weights.ZooUnavailableException}.
 */
package io.imgstream.model.weights;
