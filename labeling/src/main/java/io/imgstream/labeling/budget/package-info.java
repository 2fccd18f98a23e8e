/** How many labels may still be given, per hour and per day. */
package io.imgstream.labeling.budget;
