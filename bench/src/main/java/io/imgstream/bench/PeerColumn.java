package io.imgstream.bench;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The PyTorch column of {@link ModelBenchmark}'s tables: each case is timed by the {@link TorchPeer} right after its
 * Java timing, so that on a shared machine both sides see the same load, never at the same time as the Java side.
 * Without torch, or once a peer run fails, the column is left out and {@link #note()} says why.
 *
 * <p>Not thread-safe.
 */
final class PeerColumn {

    private final Optional<TorchPeer> peer;
    private final TorchPeer.Available available;
    private final int threads;
    private final int warmup;
    private final Map<TorchPeer.Case, Double> imagesPerSecond = new HashMap<>();
    private String note;
    private TorchPeer.Run lastRun;

    private PeerColumn(Optional<TorchPeer> peer, TorchPeer.Available available, int threads, int warmup, String note) {
        this.peer = peer;
        this.available = available;
        this.threads = threads;
        this.warmup = warmup;
        this.note = note;
    }

    /**
     * Probes the peer, if there is one.
     *
     * @param peer     the peer; empty leaves the column out
     * @param threads  torch's threads: the ones ND4J computes with
     * @param warmup   untimed passes before each case's timed ones, as the Java side makes
     * @param progress where progress lines go
     */
    static PeerColumn probe(Optional<TorchPeer> peer, int threads, int warmup, PrintWriter progress)
            throws InterruptedException {
        if (peer.isEmpty()) {
            return new PeerColumn(peer, null, threads, warmup, "PyTorch column left out, as asked.");
        }
        progress.println("PyTorch peer: probing...");
        progress.flush();
        TorchPeer.Availability availability = peer.get().probe();
        if (availability instanceof TorchPeer.Unavailable unavailable) {
            String note = "PyTorch column left out: " + unavailable.reason() + ". Install python3-torch and "
                    + "python3-torchvision (Debian) for it, or point --python at an interpreter that has them.";
            progress.println(note);
            progress.flush();
            return new PeerColumn(peer, null, threads, warmup, note);
        }
        return new PeerColumn(peer, (TorchPeer.Available) availability, threads, warmup, null);
    }

    /**
     * Times one case in PyTorch, unless the column is out or the architecture has no PyTorch equivalent.
     *
     * @param peerCase the case just timed on the Java side, if it has a PyTorch equivalent
     */
    void time(Optional<TorchPeer.Case> peerCase, PrintWriter progress) throws InterruptedException {
        if (!shown()
                || peerCase.isEmpty()
                || !available.architectures().contains(peerCase.get().architecture())) {
            return;
        }
        TorchPeer.Case c = peerCase.get();
        progress.printf("PyTorch %s %dx%d batch %d...%n", c.architecture(), c.size(), c.size(), c.batch());
        progress.flush();
        try {
            lastRun = peer.get().run(List.of(c), threads, warmup);
            lastRun.imagesPerSecond(c).ifPresent(rate -> imagesPerSecond.put(c, rate));
        } catch (TorchPeerException e) {
            // One failure (a timeout, out of memory) would likely repeat for every later case: stop asking.
            note = "PyTorch column left out: " + e.getMessage();
            progress.println(note);
            progress.flush();
        }
    }

    /** Whether the tables carry the column. */
    boolean shown() {
        return available != null && note == null;
    }

    /** The line above the tables: what the column measured, or why it is out. */
    String note() {
        if (note != null) {
            return note;
        }
        if (lastRun == null) {
            return "PyTorch column: no case has a PyTorch equivalent.";
        }
        return String.format(
                Locale.ROOT,
                "PyTorch column: torch %s, torchvision %s, %d threads (ND4J's), the same networks with random weights "
                        + "under no_grad, the same batches, input sizes, warm-up and timed passes, each case in its "
                        + "own process right after the Java side's.",
                lastRun.torch(),
                lastRun.torchvision(),
                lastRun.threads());
    }

    /** The header cells the column adds, with a leading space, or nothing. */
    String header(String ratioName) {
        return shown() ? " PyTorch img/s | " + ratioName + " |" : "";
    }

    /** The alignment cells the column adds, or nothing. */
    String alignment() {
        return shown() ? "---:|---:|" : "";
    }

    /**
     * A table row with the column's cells.
     *
     * @param columns         the row's other cells, from {@code |} to {@code |}
     * @param javaImagesPerSecond the Java side's rate, for the ratio
     * @param peerCase        the case, where there is a PyTorch equivalent
     * @param noPeer          why there is none, where there is none
     */
    String complete(String columns, double javaImagesPerSecond, Optional<TorchPeer.Case> peerCase, String noPeer) {
        if (!shown()) {
            return columns;
        }
        Double peerRate = peerCase.map(imagesPerSecond::get).orElse(null);
        if (peerRate == null) {
            return columns + " n/a (" + (peerCase.isEmpty() ? noPeer : "not in the PyTorch script") + ") | n/a |";
        }
        return String.format(Locale.ROOT, "%s %.2f | %.2fx |", columns, peerRate, javaImagesPerSecond / peerRate);
    }
}
