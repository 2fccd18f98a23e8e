/** The labeled set as the feedback topic holds it, counted per class. */
package io.imgstream.labeling.progress;
