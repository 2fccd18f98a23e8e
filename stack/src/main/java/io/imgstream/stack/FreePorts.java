package io.imgstream.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Finds ports on 127.0.0.1 and tells whether one is free. Thread-safe; stateless. */
public final class FreePorts {

    private FreePorts() {}

    /**
     * {@code count} distinct ports that nothing listens on right now, chosen by the operating system.
     * They are only free at the moment of the call.
     */
    public static int[] pick(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            // Holding all sockets open until every port is known keeps the ports distinct.
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, loopback());
                sockets.add(socket);
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a socket on " + StackConfig.HOST, e);
        } finally {
            for (ServerSocket socket : sockets) {
                closeQuietly(socket);
            }
        }
    }

    /** Whether a server could bind {@code port} on 127.0.0.1 now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(loopback(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing was sent on it; the port is released either way.
        }
    }
}
