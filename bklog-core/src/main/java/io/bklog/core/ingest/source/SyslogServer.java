package io.bklog.core.ingest.source;

import io.bklog.core.etl.DocumentFields;
import io.bklog.core.ingest.LineHandler;
import io.bklog.core.ingest.LineSanitizer;
import io.bklog.spi.source.SourceLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Syslog listeners: UDP (one message per datagram) and TCP (octet-counting {@code "LEN MSG"} or newline framing,
 * detected per frame, RFC 6587). Each message becomes a {@link SourceLine} whose text is the raw message and whose
 * extras are the parsed parts ({@link SyslogMessage#fields()}, {@code message}, sender {@code address}/{@code port},
 * {@code serverIp}); its time is the message's timestamp. TCP applies backpressure by not reading while the handler
 * refuses; UDP retries for {@code udpRetry} and then drops (counted, logged) since UDP has no flow control. Threads:
 * one UDP reader, one TCP acceptor, a bounded pool of connection readers; all owned and stopped by {@link #close}.
 */
public final class SyslogServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyslogServer.class);

    private final LineHandler handler;
    private final SyslogFilter filter;
    private final AtomicLong filtered = new AtomicLong();
    private final SyslogParser parser;
    private final LineSanitizer sanitizer;
    private final Clock clock;
    private final Duration udpRetry;
    private final String sourcePrefix;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    private SyslogServer(Builder b) throws IOException {
        this.handler = b.handler;
        this.filter = b.filter;
        this.parser = new SyslogParser(b.zone);
        this.sanitizer = new LineSanitizer(b.maxMessageBytes);
        this.clock = b.clock;
        this.udpRetry = b.udpRetry;
        this.sourcePrefix = "syslog:" + clock.instant().toEpochMilli() + ":";
        InetAddress bind = InetAddress.getByName(b.bindAddress);
        this.udp = b.udpPort < 0 ? null : new DatagramSocket(new InetSocketAddress(bind, b.udpPort));
        this.tcp = b.tcpPort < 0 ? null : new ServerSocket(b.tcpPort, 128, bind);
        AtomicInteger n = new AtomicInteger();
        this.connections = new ThreadPoolExecutor(1, b.maxConnections, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1),
                r -> {
                    Thread t = new Thread(r, "bklog-syslog-conn-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        if (udp != null) start("bklog-syslog-udp", this::udpLoop);
        if (tcp != null) start("bklog-syslog-tcp", this::acceptLoop);
        LOG.info("event=syslog_listening udp_port={} tcp_port={}", udpPort(), tcpPort());
    }

    public static Builder builder(LineHandler handler) {
        return new Builder(handler);
    }

    private void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** The bound UDP port (useful with port 0), or -1. */
    public int udpPort() {
        return udp == null ? -1 : udp.getLocalPort();
    }

    public int tcpPort() {
        return tcp == null ? -1 : tcp.getLocalPort();
    }

    /** Messages not collected because of the {@link SyslogFilter}. */
    public long filtered() {
        return filtered.get();
    }

    /** UDP messages dropped because the handler kept refusing. */
    public long dropped() {
        return dropped.get();
    }

    /** Turns one raw message into a source line (also usable without sockets). */
    public SourceLine toLine(byte[] data, int off, int len, InetSocketAddress sender) {
        LineSanitizer.Result r = sanitizer.sanitize(data, off, len);
        Instant now = clock.instant();
        SyslogMessage m = parser.parse(r.text(), now);
        Map<String, Object> extra = new LinkedHashMap<>(m.fields());
        extra.put("message", m.message());
        if (sender != null) {
            String addr = sender.getAddress().getHostAddress();
            extra.put("address", addr);
            extra.put("port", (long) sender.getPort());
            extra.put(DocumentFields.SERVER_IP, addr);
        }
        SourceLine line = new SourceLine(sourcePrefix + (sender == null ? "-" : sender.getAddress().getHostAddress()),
                sequence.getAndIncrement(), r.text(), null, m.timestamp() != null ? m.timestamp() : now, extra,
                r.truncated(), r.invalidUtf8(), null);
        return line;
    }

    private void udpLoop() {
        byte[] buf = new byte[65536];
        while (running) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (IOException e) {
                if (running) LOG.warn("event=syslog_udp_receive_failed", e);
                continue;
            }
            SourceLine line = toLine(p.getData(), p.getOffset(), p.getLength(),
                    (InetSocketAddress) p.getSocketAddress());
            if (!filter.test(line)) {
                filtered.incrementAndGet();
                continue;
            }
            long deadline = System.nanoTime() + udpRetry.toNanos();
            boolean ok = handler.accept(List.of(line));
            while (!ok && running && System.nanoTime() < deadline) {
                pause(50);
                ok = handler.accept(List.of(line));
            }
            if (!ok) {
                dropped.incrementAndGet();
                LOG.error("event=syslog_udp_dropped sender={} reason=ingest_full text=\"{}\"",
                        p.getSocketAddress(), line.text());
            }
        }
    }

    private void acceptLoop() {
        while (running) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (running) LOG.warn("event=syslog_tcp_accept_failed", e);
                continue;
            }
            try {
                open.add(s);
                connections.execute(() -> readConnection(s));
            } catch (RejectedExecutionException e) {
                LOG.warn("event=syslog_tcp_refused sender={} reason=too_many_connections", s.getRemoteSocketAddress());
                open.remove(s);
                closeQuietly(s);
            }
        }
    }

    private void readConnection(Socket s) {
        InetSocketAddress sender = (InetSocketAddress) s.getRemoteSocketAddress();
        try (InputStream in = new BufferedInputStream(s.getInputStream(), 65536)) {
            List<SourceLine> batch = new ArrayList<>();
            byte[] frame;
            while (running && (frame = readFrame(in)) != null) {
                if (frame.length > 0) {
                    SourceLine line = toLine(frame, 0, frame.length, sender);
                    if (filter.test(line)) batch.add(line);
                    else filtered.incrementAndGet();
                }
                if (batch.size() >= 500 || (in.available() == 0 && !batch.isEmpty())) {
                    deliverBlocking(batch);
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) deliverBlocking(batch);
        } catch (IOException e) {
            if (running) LOG.debug("event=syslog_tcp_closed sender={} reason=\"{}\"", sender, e.getMessage());
        } finally {
            open.remove(s);
            closeQuietly(s);
        }
    }

    private void deliverBlocking(List<SourceLine> batch) {
        while (!handler.accept(batch)) {
            if (!running) {
                LOG.error("event=syslog_tcp_undelivered lines={} reason=shutdown", batch.size());
                return;
            }
            pause(100); // not reading = TCP backpressure on the sender
        }
    }

    /** One frame: octet-counted when it starts with digits and a space, else up to LF (CR stripped). */
    byte[] readFrame(InputStream in) throws IOException {
        int c = in.read();
        while (c == '\n' || c == '\r') c = in.read();
        if (c < 0) return null;
        int max = sanitizer.maxLineBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        if (c >= '1' && c <= '9') {
            long len = 0;
            int digits = 0;
            while (c >= '0' && c <= '9' && digits < 10) {
                out.write(c);
                len = len * 10 + (c - '0');
                digits++;
                c = in.read();
            }
            if (c == ' ') {
                // octet counting
                byte[] data = in.readNBytes((int) Math.min(len, max + 1L));
                if (len > data.length) {
                    in.skipNBytes(len - data.length);
                } else if (len > max) {
                    in.skipNBytes(len - data.length);
                }
                return data;
            }
            if (c < 0) return out.toByteArray();
            if (c == '\n') return out.toByteArray();
            out.write(c);
        } else {
            out.write(c);
        }
        while ((c = in.read()) >= 0 && c != '\n') {
            if (out.size() <= max) out.write(c); // beyond the limit: the sanitizer cuts and marks it
        }
        byte[] b = out.toByteArray();
        int len = b.length;
        if (len > 0 && b[len - 1] == '\r') return java.util.Arrays.copyOf(b, len - 1);
        return b;
    }

    private static void pause(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        running = false;
        if (udp != null) udp.close();
        if (tcp != null) {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Socket s : open) closeQuietly(s);
        connections.shutdown();
        try {
            connections.awaitTermination(10, TimeUnit.SECONDS);
            for (Thread t : threads) t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builder. Defaults: bind 0.0.0.0, no listener (set udpPort/tcpPort; 0 picks a free port), 1 MiB messages. */
    public static final class Builder {
        private final LineHandler handler;
        private String bindAddress = "0.0.0.0";
        private int udpPort = -1;
        private int tcpPort = -1;
        private int maxConnections = 256;
        private int maxMessageBytes = LineSanitizer.DEFAULT_MAX_LINE_BYTES;
        private ZoneOffset zone = ZoneOffset.UTC;
        private Clock clock = Clock.systemUTC();
        private Duration udpRetry = Duration.ofSeconds(1);
        private SyslogFilter filter = SyslogFilter.NONE;

        private Builder(LineHandler handler) {
            this.handler = handler;
        }

        public Builder bindAddress(String v) { this.bindAddress = v; return this; }
        public Builder udpPort(int v) { this.udpPort = v; return this; }
        public Builder tcpPort(int v) { this.tcpPort = v; return this; }
        public Builder maxConnections(int v) { this.maxConnections = v; return this; }
        public Builder maxMessageBytes(int v) { this.maxMessageBytes = v; return this; }
        /** Offset of RFC 3164 timestamps (they carry none); default UTC. */
        public Builder zone(ZoneOffset v) { this.zone = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        /** How long a refused UDP message is retried before it is dropped; default 1 s. */
        public Builder udpRetry(Duration v) { this.udpRetry = v; return this; }
        /** bklog's {@code syslog_conditions}; default: collect everything. */
        public Builder filter(SyslogFilter v) { this.filter = v; return this; }

        public SyslogServer build() throws IOException {
            if (udpPort < 0 && tcpPort < 0) throw new IllegalArgumentException("set udpPort and/or tcpPort");
            return new SyslogServer(this);
        }
    }
}
