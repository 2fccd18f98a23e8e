package io.imgstream.labeling;

import io.imgstream.clients.label.Labels;
import io.imgstream.images.ImageLoader;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.labeling.LabelingException.Kind;
import io.imgstream.labeling.budget.LabelBudget;
import io.imgstream.labeling.intake.IntakeListener;
import io.imgstream.labeling.progress.LabeledSet;
import io.imgstream.labeling.queue.LabelQueue;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the labeling page works on: the queue of images waiting for a label, the image offered now, the labeled set
 * and the budget. The requests and labels come from topics and are bounded here before they are held; answers go to
 * the feedback topic through a {@link FeedbackSink}. Thread-safe: the topic follower and the page's requests share it.
 */
public final class LabelingSession implements IntakeListener {

    /** Most guesses kept per image: the page's keys 1 to 9 answer them. */
    public static final int MAX_GUESSES = 9;
    /** Longest image id held; a longer one is no id the scorer writes. */
    public static final int MAX_ID_CHARS = 512;
    /** Longest image URI held. */
    public static final int MAX_URI_CHARS = 8192;
    /** Longest class name or labeler name accepted. */
    public static final int MAX_NAME_CHARS = 256;
    /** Longest reason kept; a longer one is cut. */
    public static final int MAX_REASON_CHARS = 1024;
    /** Most class names offered as completions. */
    public static final int MAX_KNOWN_CLASSES = 1000;

    private static final String ANY_SPLIT = "any";
    private static final float CERTAIN = 1.0f;

    /** Sends one label to the feedback topic and returns once the broker has it. */
    @FunctionalInterface
    public interface FeedbackSink {
        /**
         * @throws RuntimeException     if the broker refused it or could not be reached (e.g. a KafkaException)
         * @throws InterruptedException if interrupted while waiting
         */
        void send(LabelFeedback feedback) throws InterruptedException;
    }

    /**
     * What the page shows next.
     *
     * @param state   {@code loading} until the topics were read to their end once, then {@code ready} with an
     *                image or {@code empty}
     * @param request the image's request when ready
     */
    public record Offer(String state, Optional<LabelRequest> request) {}

    /**
     * The numbers the page shows.
     *
     * @param labeledThisSession labels sent from this page since it started
     * @param skipped            images skipped since it started
     * @param waiting            images in the queue (not counting the one offered)
     * @param dropped            requests dropped because the queue was full
     * @param rejected           requests and labels from the topics not held because they were malformed or too large
     * @param labeledImages      images in the labeled set
     * @param imagesByClass      images in the labeled set per class
     * @param budget             where the label budget stands
     * @param defaultLabeler     the name labels go under unless the page names another
     * @param caughtUp           whether the topics were read to their end once
     * @param intakeProblem      why reading the topics fails now, if it does
     */
    public record Progress(
            long labeledThisSession,
            long skipped,
            int waiting,
            long dropped,
            long rejected,
            int labeledImages,
            SortedMap<String, Integer> imagesByClass,
            LabelBudget.Status budget,
            String defaultLabeler,
            boolean caughtUp,
            Optional<String> intakeProblem) {}

    private final LabelQueue queue;
    private final LabelBudget budget;
    private final LabeledSet labeled = new LabeledSet();
    private final SortedSet<String> knownClasses = new TreeSet<>();
    private final FeedbackSink sink;
    private final ImageLoader loader;
    private final String defaultLabeler;
    private final Clock clock;

    private LabelRequest offered;
    private long labeledThisSession;
    private long skipped;
    private long rejected;
    private boolean caughtUp;
    private String intakeProblem;

    /**
     * @param queue          the images waiting
     * @param budget         the label budget
     * @param sink           where answers go
     * @param loader         how images are read, under the fetch policy
     * @param defaultLabeler the name labels go under unless the page names another
     * @param clock          the time labels are stamped with
     */
    public LabelingSession(
            LabelQueue queue,
            LabelBudget budget,
            FeedbackSink sink,
            ImageLoader loader,
            String defaultLabeler,
            Clock clock) {
        this.queue = queue;
        this.budget = budget;
        this.sink = sink;
        this.loader = loader;
        this.defaultLabeler = defaultLabeler;
        this.clock = clock;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Queued, unless the image already has a label, or the
     * request is malformed or too large (then counted as rejected).
     */
    @Override
    public synchronized void onRequest(LabelRequest request) {
        Optional<LabelRequest> bounded = bounded(request);
        if (bounded.isEmpty()) {
            rejected++;
            return;
        }
        LabelRequest held = bounded.get();
        held.getTopK().forEach(guess -> learnClass(guess.getLabel().toString()));
        String id = held.getImageId().toString();
        if (labeled.contains(id)) {
            return;
        }
        if (offered != null && offered.getImageId().toString().equals(id)) {
            if (!held.getRequestedTime().isBefore(offered.getRequestedTime())) {
                offered = held;
            }
            return;
        }
        queue.offer(held);
    }

    /** {@inheritDoc} From this page or anyone: the image is not offered again. */
    @Override
    public synchronized void onFeedback(LabelFeedback feedback) {
        String id = feedback.getImageId().toString();
        String label = feedback.getLabel().toString();
        if (id.isEmpty() || id.length() > MAX_ID_CHARS || label.isBlank() || label.length() > MAX_NAME_CHARS) {
            rejected++;
            return;
        }
        labeled.record(id, label);
        learnClass(label);
        queue.remove(id);
        if (offered != null && offered.getImageId().toString().equals(id)) {
            offered = null;
        }
    }

    /** {@inheritDoc} From now on the session offers images. */
    @Override
    public synchronized void caughtUp() {
        caughtUp = true;
    }

    @Override
    public synchronized void intakeProblem(String problem) {
        intakeProblem = problem;
    }

    @Override
    public synchronized void onUndecodable(String where) {
        rejected++;
    }

    /** The image to label now: the one offered until it is answered or skipped, else the queue's next. */
    public synchronized Offer next() {
        if (!caughtUp) {
            return new Offer("loading", Optional.empty());
        }
        if (offered == null) {
            offered = queue.take().orElse(null);
        }
        return offered == null ? new Offer("empty", Optional.empty()) : new Offer("ready", Optional.of(offered));
    }

    /** The class names seen in the guesses and the labels, for the page's completions. */
    public synchronized List<String> knownClasses() {
        return List.copyOf(knownClasses);
    }

    /**
     * Sends a label for a waiting image to the feedback topic; the image leaves the queue.
     *
     * @param imageId the image, offered or waiting
     * @param label   its class
     * @param labeler who says so, or blank for the default labeler
     * @return the label sent
     * @throws LabelingException    if the image is not waiting, the answer is malformed, the budget is spent or the
     *                              broker did not take the label (then the budget is given back)
     * @throws InterruptedException if interrupted while sending
     */
    public LabelFeedback label(String imageId, String label, String labeler)
            throws LabelingException, InterruptedException {
        LabelRequest request = waiting(imageId);
        String name = labeler == null || labeler.isBlank() ? defaultLabeler : labeler.strip();
        String cls = label == null ? "" : label.strip();
        if (cls.isEmpty() || cls.length() > MAX_NAME_CHARS || name.length() > MAX_NAME_CHARS) {
            throw new LabelingException(
                    Kind.BAD_ANSWER, "a label and a labeler name are 1 to " + MAX_NAME_CHARS + " characters");
        }
        Optional<Instant> spentUntil = budget.tryTake();
        if (spentUntil.isPresent()) {
            throw new LabelingException(
                    Kind.BUDGET_SPENT, "the label budget is spent until " + spentUntil.get() + "; no more answers");
        }
        LabelFeedback feedback =
                Labels.of(imageId, cls, request.getUri().toString(), ANY_SPLIT, CERTAIN, name, clock.instant());
        try {
            sink.send(feedback);
        } catch (InterruptedException e) {
            budget.giveBack();
            throw e;
        } catch (RuntimeException e) {
            budget.giveBack();
            throw new LabelingException(Kind.SEND_FAILED, "the label was not sent, try again: " + e.getMessage(), e);
        }
        synchronized (this) {
            labeledThisSession++;
            onFeedback(feedback);
        }
        return feedback;
    }

    /**
     * Skips an image: it leaves the queue until the scorer asks about it again.
     *
     * @throws LabelingException if the image is not waiting
     */
    public synchronized void skip(String imageId) throws LabelingException {
        waiting(imageId);
        if (offered != null && offered.getImageId().toString().equals(imageId)) {
            offered = null;
        } else {
            queue.remove(imageId);
        }
        skipped++;
    }

    /**
     * Reads a waiting image through the fetch policy; only waiting images are read, from the URI their request
     * gave, never from one the page sends.
     *
     * @throws LabelingException if the image is not waiting, or the policy refused it or it could not be read
     */
    public BufferedImage image(String imageId) throws LabelingException {
        LabelRequest request = waiting(imageId);
        ImageRef ref = ImageRef.newBuilder()
                .setId(imageId)
                .setUri(request.getUri())
                .setEventTime(request.getRequestedTime())
                .setSource("labeling")
                .build();
        try {
            return loader.load(ref).image();
        } catch (FetchException e) {
            throw new LabelingException(Kind.IMAGE_REFUSED, e.getMessage(), e);
        }
    }

    /** The numbers the page shows. */
    public synchronized Progress progress() {
        return new Progress(
                labeledThisSession,
                skipped,
                queue.size(),
                queue.dropped(),
                rejected,
                labeled.size(),
                labeled.imagesByClass(),
                budget.status(),
                defaultLabeler,
                caughtUp,
                Optional.ofNullable(intakeProblem));
    }

    private synchronized LabelRequest waiting(String imageId) throws LabelingException {
        if (offered != null && offered.getImageId().toString().equals(imageId)) {
            return offered;
        }
        return queue.peek(imageId)
                .orElseThrow(() -> new LabelingException(
                        Kind.UNKNOWN_IMAGE, "image '" + imageId + "' is not waiting for a label (labeled or skipped)"));
    }

    private void learnClass(String label) {
        if (knownClasses.size() < MAX_KNOWN_CLASSES && !label.isBlank() && label.length() <= MAX_NAME_CHARS) {
            knownClasses.add(label);
        }
    }

    /** The request cut to what the page needs, or empty if it is malformed or too large to hold. */
    private static Optional<LabelRequest> bounded(LabelRequest request) {
        String id = request.getImageId().toString();
        String uri = request.getUri().toString();
        if (id.isEmpty() || id.length() > MAX_ID_CHARS || uri.isEmpty() || uri.length() > MAX_URI_CHARS) {
            return Optional.empty();
        }
        List<ClassProbability> guesses = request.getTopK().stream()
                .filter(guess -> {
                    String label = guess.getLabel().toString();
                    return !label.isBlank() && label.length() <= MAX_NAME_CHARS;
                })
                .sorted(Comparator.comparingDouble((ClassProbability guess) -> guess.getProbability())
                        .reversed())
                .toList();
        if (guesses.size() != request.getTopK().size()) {
            return Optional.empty();
        }
        String reason = request.getReason().toString();
        return Optional.of(LabelRequest.newBuilder(request)
                .setTopK(guesses.subList(0, Math.min(MAX_GUESSES, guesses.size())))
                .setReason(reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason)
                .build());
    }
}
