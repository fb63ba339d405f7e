package io.bklog.core.alert;

import io.bklog.spi.alert.AlertNotification;
import io.bklog.spi.alert.DeliveryException;
import io.bklog.spi.alert.NotificationChannel;
import io.bklog.spi.alert.NotificationChannelFactory;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code email} channel: one mail per notification over SMTP (Jakarta Mail), {@code multipart/alternative} with
 * a plain-text and an HTML part. Settings: {@code host} (required), {@code port} (default 25, 465 with
 * {@code smtps}), {@code tls}: {@code none}, {@code starttls} (default; the server must offer it) or {@code smtps}
 * (TLS from the first byte), {@code username} / {@code password} (both or neither), {@code from} and {@code to}
 * (comma-separated, required), {@code timeout_seconds} (default 10), {@code max_attempts} (default 5).
 */
public final class EmailChannel implements NotificationChannel {
    public static final String TYPE = "email";

    private final Session session;
    private final String protocol;
    private final String username;
    private final String password;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final int maxAttempts;

    private EmailChannel(Session session, String protocol, String username, String password, InternetAddress from,
                         InternetAddress[] to, int maxAttempts) {
        this.session = session;
        this.protocol = protocol;
        this.username = username;
        this.password = password;
        this.from = from;
        this.to = to;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public void send(AlertNotification n) throws DeliveryException {
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(from);
            m.setRecipients(Message.RecipientType.TO, to);
            m.setSubject("[" + n.status().toUpperCase(Locale.ROOT) + "] [" + n.severity() + "] " + n.ruleName(),
                    "UTF-8");
            m.setSentDate(Date.from(n.sentAt()));
            m.setHeader("X-Bklog-Notification-Id", n.id());
            MimeBodyPart text = new MimeBodyPart();
            text.setText(plain(n), "UTF-8");
            MimeBodyPart html = new MimeBodyPart();
            html.setContent(html(n), "text/html; charset=UTF-8");
            MimeMultipart alt = new MimeMultipart("alternative", text, html);
            m.setContent(alt);
            try (Transport t = session.getTransport(protocol)) {
                if (username != null) t.connect(username, password);
                else t.connect();
                t.sendMessage(m, to);
            }
        } catch (jakarta.mail.SendFailedException e) {
            throw new DeliveryException("SMTP refused the recipients: " + e.getMessage(), false, e);
        } catch (jakarta.mail.AuthenticationFailedException e) {
            throw new DeliveryException("SMTP login failed: " + e.getMessage(), false, e);
        } catch (MessagingException e) {
            throw new DeliveryException("SMTP delivery failed: " + e.getMessage(), true, e);
        }
    }

    static String plain(AlertNotification n) {
        StringBuilder b = new StringBuilder();
        b.append(n.message()).append("\n\n");
        b.append("status: ").append(n.status()).append('\n');
        b.append("rule: ").append(n.ruleName()).append(" (space ").append(n.space()).append(", index set ")
                .append(n.indexSet()).append(")\n");
        b.append("value: ").append(Values.number(n.value())).append(" (threshold ")
                .append(Values.number(n.threshold())).append(")\n");
        b.append("window: ").append(n.windowStart()).append(" .. ").append(n.windowEnd()).append('\n');
        if (!n.labels().isEmpty()) b.append("labels: ").append(n.labels()).append('\n');
        n.groups().forEach((g, v) -> b.append("group ").append(g).append(": ").append(Values.number(v)).append('\n'));
        if (!n.samples().isEmpty()) {
            b.append("\nsamples:\n");
            for (Map<String, Object> s : n.samples()) b.append("  ").append(Values.sampleLine(s)).append('\n');
        }
        return b.toString();
    }

    static String html(AlertNotification n) {
        StringBuilder b = new StringBuilder("<html><body>");
        b.append("<p><b>").append(esc(n.message())).append("</b></p><table>");
        row(b, "status", n.status());
        row(b, "rule", n.ruleName() + " (space " + n.space() + ", index set " + n.indexSet() + ")");
        row(b, "value", Values.number(n.value()) + " (threshold " + Values.number(n.threshold()) + ")");
        row(b, "window", n.windowStart() + " .. " + n.windowEnd());
        if (!n.labels().isEmpty()) row(b, "labels", n.labels().toString());
        n.groups().forEach((g, v) -> row(b, "group " + g, Values.number(v)));
        b.append("</table>");
        if (!n.samples().isEmpty()) {
            b.append("<p>samples:</p><pre>");
            for (Map<String, Object> s : n.samples()) b.append(esc(Values.sampleLine(s))).append('\n');
            b.append("</pre>");
        }
        return b.append("</body></html>").toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>");
    }

    private static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Makes e-mail channels. */
    public static final class Factory implements NotificationChannelFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Set<String> secretSettings() {
            return Set.of("password");
        }

        @Override
        public boolean sameDestination(Map<String, String> before, Map<String, String> after) {
            return ChannelSettings.same(before, after, "host", "port", "tls", "username");
        }

        @Override
        public NotificationChannel create(Map<String, String> s) {
            String host = s.get("host");
            if (host == null || host.isBlank()) throw new IllegalArgumentException("settings.host is missing");
            String tls = s.getOrDefault("tls", "starttls").trim().toLowerCase(Locale.ROOT);
            if (!List.of("none", "starttls", "smtps").contains(tls)) {
                throw new IllegalArgumentException("settings.tls must be none, starttls or smtps, got '" + tls + "'");
            }
            int port = ChannelSettings.integer(s, "port", tls.equals("smtps") ? 465 : 25, 1, 65535);
            int timeout = ChannelSettings.integer(s, "timeout_seconds", 10, 1, 120) * 1000;
            String user = blankToNull(s.get("username"));
            String password = blankToNull(s.get("password"));
            if ((user == null) != (password == null)) {
                throw new IllegalArgumentException("settings.username and settings.password go together");
            }
            InternetAddress from;
            InternetAddress[] to;
            try {
                String f = s.get("from");
                if (f == null || f.isBlank()) throw new IllegalArgumentException("settings.from is missing");
                from = new InternetAddress(f.trim(), true);
                String t = s.get("to");
                if (t == null || t.isBlank()) throw new IllegalArgumentException("settings.to is missing");
                List<InternetAddress> all = new ArrayList<>();
                for (String a : t.split(",")) if (!a.isBlank()) all.add(new InternetAddress(a.trim(), true));
                to = all.toArray(new InternetAddress[0]);
            } catch (AddressException e) {
                throw new IllegalArgumentException("settings.from/to has a bad address: " + e.getMessage());
            }
            String protocol = tls.equals("smtps") ? "smtps" : "smtp";
            Properties p = new Properties();
            p.put("mail." + protocol + ".host", host.trim());
            p.put("mail." + protocol + ".port", String.valueOf(port));
            p.put("mail." + protocol + ".connectiontimeout", String.valueOf(timeout));
            p.put("mail." + protocol + ".timeout", String.valueOf(timeout));
            p.put("mail." + protocol + ".writetimeout", String.valueOf(timeout));
            p.put("mail." + protocol + ".auth", String.valueOf(user != null));
            if (tls.equals("starttls")) {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
            }
            if (!tls.equals("none")) p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
            return new EmailChannel(Session.getInstance(p), protocol, user, password, from, to,
                    ChannelSettings.integer(s, "max_attempts", 5, 1, 20));
        }

        private static String blankToNull(String v) {
            return v == null || v.isBlank() ? null : v;
        }
    }
}
