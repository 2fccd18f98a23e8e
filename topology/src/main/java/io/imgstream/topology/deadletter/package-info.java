/**
 * Dead letters: every input the scorer refuses is written to the dead-letter topic with its original bytes,
 * its source position, a reason code and a message that says what to do. Nothing is dropped silently.
 * {@link io.imgstream.topology.deadletter.FailureClassifier} decides which failures are the input's fault (a dead
 * letter) and which are the infrastructure's (the task fails and is retried);
 * {@link io.imgstream.topology.deadletter.DeadLetters} builds every dead letter.
 */
package io.imgstream.topology.deadletter;
