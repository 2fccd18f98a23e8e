/**
 * Labels as {@code LabelFeedback} events: one label, or a CSV file of them ({@link
 * io.imgstream.clients.label.LabelCsv}), sent to the feedback topic ({@link io.imgstream.clients.label.LabelSender}).
 */
package io.imgstream.clients.label;
