/**
 * Explanations of predictions: Grad-CAM class activation maps ({@link io.imgstream.model.explain.GradCam})
 * and their PNG overlays on the image ({@link io.imgstream.model.explain.HeatmapOverlay}).
 */
package io.imgstream.model.explain;
