/** The image folder source connector: folder trees of images in, ImageRef and LabelFeedback records out. */
package io.imgstream.connect.source;
