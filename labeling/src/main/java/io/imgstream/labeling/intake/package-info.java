/** Reading the labeling-requests and feedback topics into the session. */
package io.imgstream.labeling.intake;
