package io.imgstream.model.bases;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A loopback HTTP/1.0 server serving one file, as a CDN would: with {@code Range} support (or without), and able to
 * drop the connection in the middle of the first response, as a network failure does. Raw sockets, because a
 * library server would not close a connection under a response it promised in full.
 */
final class WeightsServer implements AutoCloseable {

    private final ServerSocket socket;
    private final byte[] body;
    private final boolean honoursRange;
    private final int cutFirstAfter;
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private final Thread acceptor;

    /**
     * @param body          the file
     * @param honoursRange  whether {@code Range} requests get a 206 with the rest, or the whole file again
     * @param cutFirstAfter bytes of the body after which the first connection is closed; negative for none
     */
    WeightsServer(byte[] body, boolean honoursRange, int cutFirstAfter) throws IOException {
        this.body = body.clone();
        this.honoursRange = honoursRange;
        this.cutFirstAfter = cutFirstAfter;
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptAll, "weights-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The root URL: the file is served under any path below it. */
    URI root() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }

    /** The {@code Range} header of each request, or "" where there was none. */
    List<String> ranges() {
        return List.copyOf(ranges);
    }

    private void acceptAll() {
        int request = 0;
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                request++;
                serve(connection, request == 1 && cutFirstAfter >= 0);
            } catch (IOException e) {
                // Closed by close(), or a client that went away: the next accept decides.
            }
        }
    }

    private void serve(Socket connection, boolean cut) throws IOException {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
        String range = "";
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase(Locale.ROOT).startsWith("range:")) {
                range = line.substring("range:".length()).trim();
            }
        }
        ranges.add(range);
        int from = 0;
        String head;
        if (!range.isEmpty() && honoursRange) {
            from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
            head = "HTTP/1.0 206 Partial Content\r\nContent-Range: bytes " + from + "-" + (body.length - 1) + "/"
                    + body.length + "\r\n";
        } else {
            head = "HTTP/1.0 200 OK\r\n";
        }
        OutputStream out = connection.getOutputStream();
        out.write((head + "Content-Length: " + (body.length - from) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, from, cut ? cutFirstAfter : body.length - from);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
