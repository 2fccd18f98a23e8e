package io.imgstream.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch peer of {@link ModelBenchmark}: the same conv bases timed by torchvision in a Python process, so the
 * benchmark can print what the tool users would reach for instead does on the same machine. Runs the script the
 * bench module ships ({@value #SCRIPT_RESOURCE}, written to a temporary file for each run) with Debian's
 * {@code python3-torch} and {@code python3-torchvision}; the script's arguments and JSON output are described at
 * its top.
 *
 * <p>Each run is bounded in time and its standard error kept for the failure message. Not thread-safe.
 */
public final class TorchPeer {

    /** The interpreter run unless told otherwise: Debian's, where {@code python3-torch} installs torch. */
    public static final String DEFAULT_PYTHON = "python3";

    /** The longest a run of all cases may take unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    static final String SCRIPT_RESOURCE = "torch_peer.py";

    /** The script's exit status when torch or torchvision cannot be imported. */
    static final int EXIT_NO_TORCH = 3;

    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(1);
    /** Enough of a Python traceback to see its cause, not a flood of warnings. */
    private static final int STDERR_TAIL_CHARS = 4000;

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Whether the peer can run, found by {@link #probe()}. */
    public sealed interface Availability {}

    /**
     * torch and torchvision import.
     *
     * @param torch         torch's version
     * @param torchvision   torchvision's version
     * @param architectures the architecture names the script builds, as imgstream's stored bases name them
     */
    public record Available(String torch, String torchvision, Set<String> architectures) implements Availability {

        public Available {
            architectures = Set.copyOf(architectures);
        }
    }

    /** @param reason why the peer cannot run: no interpreter, no torch, or the probe's failure */
    public record Unavailable(String reason) implements Availability {}

    /**
     * One network at one input and batch size.
     *
     * @param architecture a name {@link Available#architectures()} lists, e.g. {@code vgg16}
     * @param size         side of the square input, pixels
     * @param batch        images per forward pass
     * @param iterations   timed forward passes, after the run's warm-up passes
     */
    public record Case(String architecture, int size, int batch, int iterations) {

        public Case {
            Objects.requireNonNull(architecture, "architecture");
        }

        private String argument() {
            return architecture + ":" + size + ":" + batch + ":" + iterations;
        }
    }

    /**
     * One case's timing.
     *
     * @param peerCase        the case
     * @param seconds         time of its timed passes
     * @param imagesPerSecond images of those passes per second
     */
    public record Result(Case peerCase, double seconds, double imagesPerSecond) {}

    /**
     * A run's results.
     *
     * @param torch       torch's version
     * @param torchvision torchvision's version
     * @param threads     the threads torch computed with
     * @param results     one per case, in the order asked
     */
    public record Run(String torch, String torchvision, int threads, List<Result> results) {

        public Run {
            results = List.copyOf(results);
        }

        /** The images per second of a case, if it was run. */
        public OptionalDouble imagesPerSecond(Case peerCase) {
            return results.stream()
                    .filter(r -> r.peerCase().equals(peerCase))
                    .mapToDouble(Result::imagesPerSecond)
                    .findFirst();
        }
    }

    private record ProbeOutput(String torch, String torchvision, List<String> architectures) {}

    private record ResultOutput(
            String architecture,
            int size,
            int batch,
            int iterations,
            double seconds,
            @JsonProperty("images_per_second") double imagesPerSecond) {}

    private record RunOutput(String torch, String torchvision, int threads, List<ResultOutput> results) {}

    private record Finished(int exitCode, String stdout, String stderr) {}

    private final List<String> python;
    private final String script;
    private final Duration timeout;

    /**
     * The script the bench module ships.
     *
     * @param python  the interpreter, e.g. {@value #DEFAULT_PYTHON} or a virtual environment's
     * @param timeout the longest a run of all cases may take
     */
    public static TorchPeer shipped(String python, Duration timeout) {
        return new TorchPeer(List.of(python), shippedScript(), timeout);
    }

    /** The text of the script the bench module ships. */
    static String shippedScript() {
        try (InputStream in = TorchPeer.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT_RESOURCE + " is missing from the bench module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCRIPT_RESOURCE + " from the bench module", e);
        }
    }

    /**
     * A peer running another script with the same arguments and output.
     *
     * @param python  the interpreter and its options
     * @param script  the script's text
     * @param timeout the longest a run of all cases may take
     */
    TorchPeer(List<String> python, String script, Duration timeout) {
        if (python.isEmpty()) {
            throw new IllegalArgumentException("no Python interpreter given");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the PyTorch peer's timeout must be positive, not " + timeout);
        }
        this.python = List.copyOf(python);
        this.script = Objects.requireNonNull(script, "script");
        this.timeout = timeout;
    }

    /** Tells whether torch and torchvision import, and which architectures the script builds. */
    public Availability probe() throws InterruptedException {
        Finished probe;
        try {
            probe = execute(List.of("--probe"), 1, PROBE_TIMEOUT.compareTo(timeout) < 0 ? PROBE_TIMEOUT : timeout);
        } catch (TorchPeerException e) {
            return new Unavailable(e.getMessage());
        }
        if (probe.exitCode() == EXIT_NO_TORCH) {
            return new Unavailable(String.join(" ", python) + " cannot import torch and torchvision ("
                    + probe.stderr().strip() + ")");
        }
        if (probe.exitCode() != 0) {
            return new Unavailable(failure("the probe", probe));
        }
        try {
            ProbeOutput output = JSON.readValue(probe.stdout(), ProbeOutput.class);
            if (output.torch() == null || output.architectures() == null) {
                return new Unavailable("the probe printed no versions or architectures: " + head(probe.stdout()));
            }
            return new Available(output.torch(), output.torchvision(), Set.copyOf(output.architectures()));
        } catch (IOException e) {
            return new Unavailable("the probe printed no JSON: " + head(probe.stdout()));
        }
    }

    /**
     * Times the cases in one process, one after another.
     *
     * @param cases   what to time, architectures among those {@link #probe()} found
     * @param threads torch's compute threads: the ones ND4J computes with, for a fair comparison
     * @param warmup  untimed forward passes before each case's timed ones
     * @throws TorchPeerException if the process fails, runs past the timeout, or does not answer every case
     */
    public Run run(List<Case> cases, int threads, int warmup) throws TorchPeerException, InterruptedException {
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("no cases to run");
        }
        List<String> arguments =
                new ArrayList<>(List.of("--threads", String.valueOf(threads), "--warmup", String.valueOf(warmup)));
        for (Case peerCase : cases) {
            arguments.add("--case");
            arguments.add(peerCase.argument());
        }
        Finished run = execute(arguments, threads, timeout);
        if (run.exitCode() != 0) {
            throw new TorchPeerException(failure("the run", run));
        }
        RunOutput output;
        try {
            output = JSON.readValue(run.stdout(), RunOutput.class);
        } catch (IOException e) {
            throw new TorchPeerException("the run printed no JSON: " + head(run.stdout()), e);
        }
        if (output.results() == null || output.results().size() != cases.size()) {
            throw new TorchPeerException("the run answered "
                    + (output.results() == null
                            ? "no"
                            : String.valueOf(output.results().size()))
                    + " results for " + cases.size() + " cases: " + head(run.stdout()));
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case asked = cases.get(i);
            ResultOutput answer = output.results().get(i);
            Case answered = new Case(answer.architecture(), answer.size(), answer.batch(), answer.iterations());
            if (!asked.equals(answered) || !(answer.imagesPerSecond() > 0)) {
                throw new TorchPeerException("the run answered " + answer + " for " + asked);
            }
            results.add(new Result(asked, answer.seconds(), answer.imagesPerSecond()));
        }
        return new Run(output.torch(), output.torchvision(), output.threads(), results);
    }

    private Finished execute(List<String> arguments, int threads, Duration limit)
            throws TorchPeerException, InterruptedException {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("imgstream-torch-peer");
            Path scriptFile = Files.writeString(dir.resolve(SCRIPT_RESOURCE), script);
            Path stdout = dir.resolve("stdout");
            Path stderr = dir.resolve("stderr");
            List<String> command = new ArrayList<>(python);
            command.add(scriptFile.toString());
            command.addAll(arguments);
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            // OpenMP reads this before torch.set_num_threads: both say the same.
            builder.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new TorchPeerException("cannot run " + String.join(" ", python) + ": " + e.getMessage(), e);
            }
            process.getOutputStream().close();
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                    throw new TorchPeerException("the PyTorch peer ran past its limit of " + limit.toSeconds()
                            + " s; its standard error ends: " + tail(Files.readString(stderr)));
                }
            } catch (InterruptedException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw e;
            }
            return new Finished(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } catch (IOException e) {
            throw new TorchPeerException("cannot run the PyTorch peer: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static String failure(String what, Finished finished) {
        return what + " exited with status " + finished.exitCode() + "; its standard error ends: "
                + tail(finished.stderr());
    }

    private static String tail(String text) {
        String stripped = text.strip();
        return stripped.isEmpty()
                ? "(nothing)"
                : stripped.length() <= STDERR_TAIL_CHARS
                        ? stripped
                        : "..." + stripped.substring(stripped.length() - STDERR_TAIL_CHARS);
    }

    private static String head(String text) {
        String stripped = text.strip();
        return stripped.isEmpty()
                ? "(nothing)"
                : stripped.length() <= STDERR_TAIL_CHARS ? stripped : stripped.substring(0, STDERR_TAIL_CHARS) + "...";
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // A temporary directory left behind costs a few kilobytes; the benchmark's figures matter more.
        }
    }
}
