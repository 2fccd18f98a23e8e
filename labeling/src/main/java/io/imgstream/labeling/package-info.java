/**
 * The human labeling page: {@link io.imgstream.labeling.LabelingApp} reads the scorer's labeling requests and the
 * feedback topic into a {@link io.imgstream.labeling.LabelingSession} and serves it as a page that shows one image at
 * a time, most uncertain first, and sends each answer as a {@code LabelFeedback}. Configured by
 * {@link io.imgstream.labeling.LabelingConfig}.
 */
package io.imgstream.labeling;
