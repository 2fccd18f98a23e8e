/** The images waiting for a label, most useful first, and how usefulness is measured. */
package io.imgstream.labeling.queue;
