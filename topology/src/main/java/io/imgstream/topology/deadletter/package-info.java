/**
 * Dead letters: every input the scorer refuses is written to the dead-letter topic with its original bytes,
 * its source position, a reason code and a message that says what to do. Nothing is dropped silently.
 */
package io.imgstream.topology.deadletter;
