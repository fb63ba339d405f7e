package io.bklog.core.alert;

import io.bklog.spi.alert.AlertNotification;
import io.bklog.spi.alert.DeliveryException;
import io.bklog.spi.alert.NotificationChannel;
import io.bklog.spi.alert.NotificationChannelFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The {@code webhook} channel: POSTs the notification's JSON body (docs/alerting.md) to {@code url}. With a
 * {@code secret}, the header {@code X-Bklog-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>} lets
 * the receiver check it came from bklog. A 2xx answer is delivered; 408, 429, 5xx and connection failures are
 * retried; other answers are not. Settings: {@code url} (http or https, required), {@code secret},
 * {@code timeout_seconds} (default 10), {@code max_attempts} (default 5, 1..20).
 */
public final class WebhookChannel implements NotificationChannel {
    public static final String TYPE = "webhook";
    public static final String SIGNATURE_HEADER = "X-Bklog-Signature";
    public static final String ID_HEADER = "X-Bklog-Notification-Id";
    public static final String EVENT_HEADER = "X-Bklog-Event";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).proxy(HttpClient.Builder.NO_PROXY).build();

    private final URI url;
    private final String secret;
    private final Duration timeout;
    private final int maxAttempts;
    private final Destinations destinations;

    WebhookChannel(URI url, String secret, Duration timeout, int maxAttempts, Destinations destinations) {
        this.destinations = destinations;
        this.url = url;
        this.secret = secret;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
    }

    /** {@code sha256=<lower-case hex of HMAC-SHA256(secret, body)>}, the value of {@value #SIGNATURE_HEADER}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
        }
    }

    /**
     * What API answers show of a webhook URL: {@code scheme://host[:port]/…} when it has a path, query or user info
     * (which often carry a token), else the URL itself. Sending this form back on an update keeps the stored URL.
     */
    public static String redactUrl(String raw) {
        if (raw == null) return null;
        URI u;
        try {
            u = URI.create(raw.trim());
        } catch (IllegalArgumentException e) {
            return "******";
        }
        if (u.getScheme() == null || u.getHost() == null) return "******";
        boolean plain = (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
                && u.getRawQuery() == null && u.getRawUserInfo() == null && u.getRawFragment() == null;
        String base = u.getScheme() + "://" + (u.getHost().contains(":") && !u.getHost().startsWith("[")
                ? "[" + u.getHost() + "]" : u.getHost()) + (u.getPort() >= 0 ? ":" + u.getPort() : "");
        return plain ? raw.trim() : base + "/\u2026";
    }

    @Override
    public void send(AlertNotification n) throws DeliveryException {
        try {
            destinations.check(url, true); // again at every delivery: the host may resolve elsewhere now
        } catch (Destinations.Unresolved e) {
            throw new DeliveryException(e.getMessage(), true);
        } catch (IllegalArgumentException e) {
            throw new DeliveryException(e.getMessage(), false);
        }
        byte[] body = NotificationJson.write(n).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8").header("User-Agent", "bklog-alerting")
                .header(ID_HEADER, n.id()).header(EVENT_HEADER, n.status())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) b.header(SIGNATURE_HEADER, signature(secret, body));
        HttpResponse<Void> r;
        try {
            r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new DeliveryException("POST " + url.getHost() + " failed: " + e, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted", true, e);
        }
        int s = r.statusCode();
        if (s >= 200 && s < 300) return;
        throw new DeliveryException("POST " + url.getHost() + " answered " + s, s == 408 || s == 429 || s >= 500);
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Makes webhook channels. */
    public static final class Factory implements NotificationChannelFactory {
        private final Destinations destinations;

        /** A factory refusing every internal destination. */
        public Factory() {
            this(Destinations.parse(java.util.List.of()));
        }

        Factory(Destinations destinations) {
            this.destinations = destinations;
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Set<String> secretSettings() {
            return Set.of("secret");
        }

        @Override
        public boolean sameDestination(Map<String, String> before, Map<String, String> after) {
            return ChannelSettings.same(before, after, "url");
        }

        @Override
        public NotificationChannel create(Map<String, String> s) {
            String raw = s.get("url");
            if (raw == null || raw.isBlank()) throw new IllegalArgumentException("settings.url is missing");
            URI url;
            try {
                url = URI.create(raw.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("settings.url is not a URL: " + e.getMessage());
            }
            if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                    || url.getHost() == null) {
                throw new IllegalArgumentException("settings.url must be an http:// or https:// URL with a host, got '"
                        + raw + "'");
            }
            destinations.check(url);
            String secret = s.get("secret");
            return new WebhookChannel(url, secret == null || secret.isEmpty() ? null : secret,
                    Duration.ofSeconds(ChannelSettings.integer(s, "timeout_seconds", 10, 1, 120)),
                    ChannelSettings.integer(s, "max_attempts", 5, 1, 20), destinations);
        }
    }
}
