package io.bklog.core.alert;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.bklog.spi.alert.AlertNotification;
import io.bklog.spi.alert.DeliveryException;
import io.bklog.spi.alert.NotificationChannel;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The e-mail channel against a real SMTP server (GreenMail) started by the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmailChannelTest {
    static final Instant T = Instant.parse("2026-03-01T10:05:00Z");
    GreenMail smtp;

    @BeforeAll
    void start() {
        com.icegreen.greenmail.util.ServerSetup smtps = ServerSetupTest.SMTPS.dynamicPort();
        smtps.setServerStartupTimeout(15_000); // the TLS listener takes a few seconds to start on a busy machine
        smtp = new GreenMail(new com.icegreen.greenmail.util.ServerSetup[]{ServerSetupTest.SMTP.dynamicPort(), smtps})
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@example.org", "alerts", "pw"));
        smtp.start();
    }

    @AfterAll
    void stop() {
        smtp.stop();
    }

    static AlertNotification notification(String id) {
        return new AlertNotification(id, "firing", 7, "payment errors", "default", "app", "critical",
                Map.of("team", "pay"), "[critical] payment errors: 12 <lines>", 12, 10, T.minusSeconds(300), T,
                Map.of(), List.of(Map.of("log", "payment failed for 132******78")), T, T);
    }

    NotificationChannel channel(Map<String, String> extra) {
        Map<String, String> s = new java.util.HashMap<>(Map.of("host", "127.0.0.1",
                "port", String.valueOf(smtp.getSmtp().getPort()), "tls", "none", "from", "bklog@example.org",
                "to", "oncall@example.org, lead@example.org"));
        s.putAll(extra);
        return new EmailChannel.Factory().create(s);
    }

    @Test
    void sendsAPlainTextAndAnHtmlPartToEveryRecipient() throws Exception {
        channel(Map.of("username", "alerts", "password", "pw")).send(notification("n-1"));
        MimeMessage[] got = smtp.getReceivedMessages();
        MimeMessage m = java.util.Arrays.stream(got).filter(x -> header(x).equals("n-1")).findFirst().orElseThrow();
        assertThat(java.util.Arrays.stream(got).filter(x -> header(x).equals("n-1"))).hasSize(2); // one per recipient
        assertThat(m.getSubject()).isEqualTo("[FIRING] [critical] payment errors");
        assertThat(m.getFrom()[0].toString()).isEqualTo("bklog@example.org");
        MimeMultipart alt = (MimeMultipart) m.getContent();
        assertThat(alt.getContentType()).startsWith("multipart/alternative");
        BodyPart plain = alt.getBodyPart(0);
        BodyPart html = alt.getBodyPart(1);
        assertThat(plain.getContentType()).startsWith("text/plain");
        assertThat((String) plain.getContent()).contains("[critical] payment errors: 12 <lines>", "value: 12 (threshold 10)",
                "payment failed for 132******78");
        assertThat(html.getContentType()).startsWith("text/html");
        assertThat((String) html.getContent()).contains("payment errors: 12 &lt;lines&gt;").doesNotContain("<lines>");
    }

    @Test
    void tlsFromTheFirstByteChecksTheServerCertificate() {
        // GreenMail's SMTPS certificate is self-signed: the channel refuses it rather than send in the clear
        NotificationChannel c = channel(Map.of("tls", "smtps", "port", String.valueOf(smtp.getSmtps().getPort()),
                "timeout_seconds", "5"));
        assertThatThrownBy(() -> c.send(notification("n-2"))).isInstanceOfSatisfying(DeliveryException.class, e -> {
            assertThat(e.retryable()).isTrue();
            Throwable t = e;
            boolean handshake = false;
            while (t != null) {
                handshake |= t instanceof javax.net.ssl.SSLHandshakeException;
                t = t.getCause();
            }
            assertThat(handshake).as("failed in the TLS handshake: " + e.getMessage()).isTrue();
        });
    }

    @Test
    void settingsAreCheckedNamingTheSetting() {
        EmailChannel.Factory f = new EmailChannel.Factory();
        assertThatThrownBy(() -> f.create(Map.of("to", "a@b.c", "from", "x@y.z")))
                .hasMessageContaining("settings.host");
        assertThatThrownBy(() -> f.create(Map.of("host", "h", "from", "x@y.z", "to", "a@b.c", "tls", "maybe")))
                .hasMessageContaining("settings.tls");
        assertThatThrownBy(() -> f.create(Map.of("host", "h", "from", "x@y.z", "to", "not an address")))
                .hasMessageContaining("settings.from/to");
        assertThatThrownBy(() -> f.create(Map.of("host", "h", "from", "x@y.z", "to", "a@b.c", "username", "u")))
                .hasMessageContaining("settings.username and settings.password");
        assertThat(f.secretSettings()).containsExactly("password");
    }

    private static String header(MimeMessage m) {
        try {
            String[] h = m.getHeader("X-Bklog-Notification-Id");
            return h == null ? "" : h[0];
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
