package io.imgstream.stack;

import java.nio.file.Path;
import java.util.List;

/**
 * The state of the stack recorded in a work directory, as seen at one moment.
 *
 * @param workDir    the stack's absolute work directory
 * @param components one entry per recorded server; empty when no stack is recorded there
 */
public record StackStatus(Path workDir, List<Component> components) {

    public StackStatus {
        components = List.copyOf(components);
    }

    /**
     * One server of the stack.
     *
     * @param component which server
     * @param pid       its recorded process id
     * @param address   where clients reach it: {@code host:port} for the broker, a URL for the registry
     * @param alive     whether the recorded process still runs as this stack's server
     * @param ready     whether it answered a request just now (implies {@code alive})
     */
    public record Component(StackComponent component, long pid, String address, boolean alive, boolean ready) {}

    /** Whether a stack is recorded in the work directory (its processes may still have died). */
    public boolean recorded() {
        return !components.isEmpty();
    }

    /** Whether a stack is recorded and every server answered. */
    public boolean allReady() {
        return recorded() && components.stream().allMatch(Component::ready);
    }

    /** Whether any recorded server process still runs. */
    public boolean anyAlive() {
        return components.stream().anyMatch(Component::alive);
    }
}
