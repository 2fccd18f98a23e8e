package io.imgstream.stack;

import java.nio.file.Path;
import java.util.List;

/**
 * The servers of the local stack. Each runs in its own JVM whose command line carries two marker
 * properties (work directory and component), so a recorded pid is only ever acted on while it still
 * belongs to the same stack: a pid reused by an unrelated process is left alone.
 */
public enum StackComponent {
    BROKER("broker"),
    REGISTRY("registry"),
    CONNECT("connect");

    private static final String DIR_PROPERTY = "imgstream.stack.dir";
    private static final String COMPONENT_PROPERTY = "imgstream.stack.component";

    private final String label;

    StackComponent(String label) {
        this.label = label;
    }

    /** The lower-case name shown to users and used for the log file name. */
    public String label() {
        return label;
    }

    /** The log file of this component in a stack's logs directory. */
    public Path logFile(StackConfig config) {
        return config.logsDir().resolve(label + ".log");
    }

    /** JVM options that mark a process as this component of the stack in {@code workDir}. */
    List<String> markerArguments(Path workDir) {
        return List.of(
                "-D" + DIR_PROPERTY + "=" + workDir.toAbsolutePath().normalize(),
                "-D" + COMPONENT_PROPERTY + "=" + label);
    }

    /**
     * Whether {@code process} is alive and is this component of the stack in {@code workDir}, judged by
     * its command line. False when the operating system does not show the command line.
     */
    public boolean isRunningAs(ProcessHandle process, Path workDir) {
        if (!process.isAlive()) {
            return false;
        }
        List<String> markers = markerArguments(workDir);
        ProcessHandle.Info info = process.info();
        if (info.arguments().isPresent()) {
            return List.of(info.arguments().get()).containsAll(markers);
        }
        // The JDK gives no argument list for a long command line, only its first few kilobytes as one string;
        // the markers come first, so they are in it.
        String commandLine = info.commandLine().orElse("");
        return markers.stream().allMatch(marker -> commandLine.contains(" " + marker + " "));
    }
}
