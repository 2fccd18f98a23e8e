package io.imgstream.labeling.intake;

import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;

/** What {@link TopicIntake} hands on, from its own thread. */
public interface IntakeListener {

    /** A request from the labeling-requests topic. */
    void onRequest(LabelRequest request);

    /** A label from the feedback topic. */
    void onFeedback(LabelFeedback feedback);

    /** A record that is not what its topic carries, skipped; {@code where} names its topic, partition and offset. */
    void onUndecodable(String where);

    /** The topics were read to the end they had when reading started. */
    void caughtUp();

    /** Reading the topics fails now, for {@code problem}, or (null) works again. */
    void intakeProblem(String problem);
}
