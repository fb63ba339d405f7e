package io.bklog.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's own logback.xml (src/main/resources, which the tests' logback-test.xml shadows on the classpath):
 * a user value with CR/LF inside a log message stays on the one line of its event, in the text and JSON formats.
 */
class LogLineForgingTest {
    private static final String FORGED = "web\r\nts=2026-01-01T00:00:00.000Z level=ERROR logger=AuthService forged\rx\n";

    @Test
    void aValueWithCrLfIsOneLineInTheTextFormat() throws Exception {
        String line = encode("TEXT");
        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n").doesNotContain("\r")
                .contains("name=web\\r\\nts=2026-01-01T00:00:00.000Z level=ERROR logger=AuthService forged\\rx\\n path=/a");
        assertThat(line).startsWith("ts=").contains(" level=INFO ");
    }

    @Test
    void aValueWithCrLfInAnExceptionMessageStaysOnTheExceptionsLine() throws Exception {
        IllegalStateException e = new IllegalStateException("bad name " + FORGED,
                new IllegalArgumentException("cause " + FORGED));
        String text = encode("TEXT", e);
        String[] lines = text.split("\n", -1);
        assertThat(lines[0]).startsWith("ts=").contains("token created name=web\\r\\n");
        assertThat(lines[1]).startsWith("java.lang.IllegalStateException: bad name web\\r\\nts=")
                .endsWith("forged\\rx\\n");
        for (int i = 2; i < lines.length; i++) {
            // every other line is a frame, a cause (its message escaped too), or the final empty string
            String l = lines[i];
            assertThat(l.isEmpty() || l.startsWith("\tat ") || l.startsWith("\t... ")
                    || l.startsWith("Caused by: java.lang.IllegalArgumentException: cause web\\r\\nts=")).as(text).isTrue();
        }
        assertThat(text).doesNotContain("\r").contains("Caused by: ");
    }

    @Test
    void aValueWithCrLfIsOneLineInTheJsonFormat() throws Exception {
        String line = encode("JSON");
        assertThat(line.strip()).doesNotContain("\n").doesNotContain("\r").contains("forged");
    }

    private static String encode(String appender) throws Exception {
        return encode(appender, null);
    }

    private static String encode(String appender, Throwable thrown) throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            JoranConfigurator c = new JoranConfigurator();
            c.setContext(ctx);
            c.doConfigure(Path.of("src", "main", "resources", "logback.xml").toFile());
            @SuppressWarnings("unchecked")
            OutputStreamAppender<ILoggingEvent> a = (OutputStreamAppender<ILoggingEvent>) ctx.getLogger("ROOT")
                    .getAppender("TEXT");
            Encoder<ILoggingEvent> encoder = appender.equals("TEXT") ? a.getEncoder() : jsonEncoder(ctx);
            LoggingEvent e = new LoggingEvent("x", ctx.getLogger("io.bklog.core.auth.AuthService"), Level.INFO,
                    "token created name={} path={}", thrown, new Object[] {FORGED, "/a"});
            return new String(encoder.encode(e), StandardCharsets.UTF_8);
        } finally {
            ctx.stop();
        }
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext ctx) {
        ch.qos.logback.classic.encoder.JsonEncoder j = new ch.qos.logback.classic.encoder.JsonEncoder();
        j.setContext(ctx);
        j.setWithFormattedMessage(true);
        j.start();
        return j;
    }
}
