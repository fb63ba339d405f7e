package io.bklog.core.ingest.source;

import io.bklog.spi.source.SourceLine;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SyslogTest {

    private static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
    private final SyslogParser parser = new SyslogParser();

    @Test
    void parsesRfc5424WithStructuredData() {
        SyslogMessage m = parser.parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 99 ID47 "
                + "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\\"ication\" eventID=\"1011\"][x@1 a=\"b\"] An application event", NOW);
        assertThat(m.format()).isEqualTo(SyslogMessage.Format.RFC5424);
        assertThat(m.facility()).isEqualTo(20);
        assertThat(m.severity()).isEqualTo(5);
        assertThat(m.facilityLabel()).isEqualTo("local4");
        assertThat(m.severityLabel()).isEqualTo("notice");
        assertThat(m.timestamp()).isEqualTo(Instant.parse("2003-10-11T22:14:15.003Z"));
        assertThat(m.hostname()).isEqualTo("mymachine.example.com");
        assertThat(m.appName()).isEqualTo("evntslog");
        assertThat(m.procId()).isEqualTo("99");
        assertThat(m.msgId()).isEqualTo("ID47");
        assertThat(m.structuredData().get("exampleSDID@32473")).containsEntry("eventSource", "Appl\"ication");
        assertThat(m.message()).isEqualTo("An application event");
        assertThat(m.fields()).containsEntry("sd.x@1.a", "b").containsEntry("priority", 165L)
                .containsEntry("program", "evntslog");
    }

    @Test
    void parsesRfc5424WithNilValues() {
        SyslogMessage m = parser.parse("<34>1 - - su - - - hello", NOW);
        assertThat(m.timestamp()).isNull();
        assertThat(m.hostname()).isNull();
        assertThat(m.appName()).isEqualTo("su");
        assertThat(m.message()).isEqualTo("hello");
    }

    @Test
    void parsesRfc3164AndInfersTheYear() {
        SyslogMessage m = parser.parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed", NOW);
        assertThat(m.format()).isEqualTo(SyslogMessage.Format.RFC3164);
        assertThat(m.facility()).isEqualTo(4);
        assertThat(m.severity()).isEqualTo(2);
        assertThat(m.timestamp()).isEqualTo(Instant.parse("2023-10-11T22:14:15Z"));
        assertThat(m.hostname()).isEqualTo("mymachine");
        assertThat(m.appName()).isEqualTo("su");
        assertThat(m.procId()).isEqualTo("123");
        assertThat(m.message()).isEqualTo("'su root' failed");
    }

    @Test
    void parsesRfc3164WithoutHostOrPriority() {
        SyslogMessage noHost = parser.parse("<13>Feb  5 17:32:18 sshd: Accepted key", NOW);
        assertThat(noHost.hostname()).isNull();
        assertThat(noHost.appName()).isEqualTo("sshd");
        assertThat(noHost.message()).isEqualTo("Accepted key");
        SyslogMessage bare = parser.parse("just text", NOW);
        assertThat(bare.priority()).isEqualTo(13);
        assertThat(bare.message()).isEqualTo("just text");
    }

    @Test
    void receivesUdpAndTcpWithBothFramings() throws Exception {
        List<SourceLine> got = new CopyOnWriteArrayList<>();
        try (SyslogServer server = SyslogServer.builder(lines -> got.addAll(lines)).bindAddress("127.0.0.1")
                .udpPort(0).tcpPort(0).build()) {
            byte[] d = "<13>Feb  5 17:32:18 host1 app[7]: over udp".getBytes(StandardCharsets.UTF_8);
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(d, d.length, InetAddress.getLoopbackAddress(), server.udpPort()));
            }
            String m1 = "<165>1 2003-10-11T22:14:15.003Z h a - - - octet\nwith newline";
            byte[] b1 = m1.getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
                OutputStream out = s.getOutputStream();
                out.write((b1.length + " ").getBytes(StandardCharsets.UTF_8));
                out.write(b1);
                out.write("<13>Feb  5 17:32:18 host2 nl: line one\r\n<13>Feb  5 17:32:19 host2 nl: line two\n"
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> got.size() == 4);
        }
        assertThat(got).extracting(l -> l.extra().get("message"))
                .containsExactlyInAnyOrder("over udp", "octet\nwith newline", "line one", "line two");
        SourceLine udp = got.stream().filter(l -> "over udp".equals(l.extra().get("message"))).findFirst().orElseThrow();
        assertThat(udp.extra()).containsEntry("hostname", "host1").containsEntry("program", "app")
                .containsEntry("pid", "7").containsEntry("serverIp", "127.0.0.1");
        assertThat(got).extracting(l -> io.bklog.core.ingest.DocumentIds.of(l)).doesNotHaveDuplicates();
    }

    @Test
    void tcpWaitsWhileTheHandlerRefuses() throws Exception {
        AtomicInteger refusals = new AtomicInteger();
        List<SourceLine> got = new CopyOnWriteArrayList<>();
        try (SyslogServer server = SyslogServer.builder(lines -> {
            if (refusals.getAndIncrement() < 2) return false;
            return got.addAll(lines);
        }).bindAddress("127.0.0.1").tcpPort(0).build()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
                s.getOutputStream().write("<13>x: held back\n".getBytes(StandardCharsets.UTF_8));
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> got.size() == 1);
        }
        assertThat(refusals.get()).isGreaterThanOrEqualTo(3);
    }
}
