package io.bklog.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import io.bklog.core.LogPlatform;
import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.IndexSet;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.HealthConfig;
import io.bklog.server.config.MetadataSettings;
import io.bklog.server.config.SchedulerConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One server with data and one Debian chromium, shared by every UI IT of the JVM (started by the first, closed at
 * JVM exit). The data: index set {@code app} (fields of bklog's defaults plus {@code level} and a masked
 * {@code phone}, log clustering on) with 240 lines, one every 14 s up to now, 3 lines of {@link #OLD_DAYS} days ago that
 * were archived and deleted (so a restore has something to restore), an admin token (with {@code unmasked}) and a
 * viewer token. {@link #main} starts the same server and prints its URL and tokens, to look at the UI by hand.
 */
final class UiFixture {
    static final int OLD_DAYS = 30;
    static final int LINES = 240;
    static final String CHROMIUM = "/usr/bin/chromium";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static UiFixture shared;

    final Path dataDir;
    final BklogServer server;
    final String admin;
    final String viewer;
    final LocalDate oldDay;
    private Playwright playwright;
    private Browser browser;

    private UiFixture(Path dataDir, BklogServer server, String admin, String viewer, LocalDate oldDay) {
        this.dataDir = dataDir;
        this.server = server;
        this.admin = admin;
        this.viewer = viewer;
        this.oldDay = oldDay;
    }

    /** The shared fixture with its browser. */
    static synchronized UiFixture get() {
        if (shared == null) {
            UiFixture f = start();
            try {
                f.browser();
            } catch (RuntimeException e) {
                f.close();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(f::close, "ui-fixture-close"));
            shared = f;
        }
        return shared;
    }

    String url() {
        return server.uri().toString();
    }

    synchronized Browser browser() {
        if (browser == null) {
            if (!Files.isExecutable(Path.of(CHROMIUM))) {
                throw new IllegalStateException("the UI tests drive Debian's chromium at " + CHROMIUM + ", which is"
                        + " missing: run `apt-get install chromium` (./run-tests installs it when missing); no"
                        + " browser is ever downloaded");
            }
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            playwright = Playwright.create(new Playwright.CreateOptions().setEnv(env));
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(CHROMIUM)).setHeadless(true).setTimeout(30_000)
                    .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync")));
        }
        return browser;
    }

    static UiFixture start() {
        try {
            Path dir = Files.createTempDirectory("bklog-ui");
            SchedulerConfig scheduler = new SchedulerConfig(false, 2, "100ms", Map.of());
            BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 8 * 1024 * 1024), dir.toString(),
                    StoreConfig.defaults(), MetadataSettings.defaults(), new AuthConfig(true), scheduler,
                    new HealthConfig("2s"));
            BklogServer server = BklogServer.start(config);
            String admin = Files.readString(dir.resolve("admin-token")).strip();
            UiFixture f = new UiFixture(dir, server, admin, null, null);
            LocalDate oldDay = f.seed();
            JsonNode token = f.call(admin, "POST", "/api/v1/tokens",
                    "{\"name\": \"ui-viewer\", \"space_uid\": \"default\", \"roles\": [\"viewer\"]}");
            return new UiFixture(dir, server, admin, token.get("token").asText(), oldDay);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the UI test server: " + e, e);
        }
    }

    /** Index set, masking, archived old lines and the lines of the last hour; answers the archived day. */
    private LocalDate seed() {
        call(admin, "PUT", "/api/v1/index_sets/app", """
                {"retention_days": 7, "fields": [{"name": "log", "type": "text"}, {"name": "serverIp", "type": "keyword"},
                 {"name": "path", "type": "keyword"}, {"name": "gseIndex", "type": "long"},
                 {"name": "iterationIndex", "type": "long"}, {"name": "dtEventTimeStamp", "type": "date"},
                 {"name": "level", "type": "keyword"}, {"name": "phone", "type": "keyword"}],
                 "patterns": {"enabled": true}}""");
        call(admin, "PUT", "/api/v1/index_sets/app/desensitize", """
                {"field_configs": [{"field_name": "phone", "operator": "mask_shield",
                  "params": {"preserve_head": 3, "preserve_tail": 2}, "match_pattern": "1[3-9]\\\\d{9}", "sort_index": 0}],
                 "text_fields": ["log"]}""");
        LogPlatform p = server.platform();
        IndexSet set = p.internals().metadata().indexSets().getByName("app");
        p.internals().metadata().archiveConfigs().create(ArchiveConfig.of(set.id(), 365,
                p.internals().snapshotRepository().orElseThrow().name()));
        Instant now = p.clock().instant();
        // one in the morning of that day, whatever the hour now: the restore test searches the day's first 23 hours
        Instant old = now.minus(Duration.ofDays(OLD_DAYS)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .plus(Duration.ofHours(1));
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            docs.add(line(old.toEpochMilli() + i, i, "archived line " + i, "INFO", "10.0.0.9"));
        }
        p.ingest().ingest("app", docs, true);
        p.operations().lifecycle().retention();
        docs.clear();
        String[] levels = {"INFO", "INFO", "WARN", "ERROR"};
        for (int i = 0; i < LINES; i++) {
            String level = levels[i % levels.length];
            String ip = "10.0.0." + (1 + i % 3);
            String log = switch (level) {
                case "ERROR" -> "POST /api/orders 500 connection refused user " + i + " phone 1380013" + String.format("%04d", i);
                case "WARN" -> "GET /api/orders 429 slow down user " + i;
                default -> "GET /api/login 200 ok user " + i;
            };
            Map<String, Object> d = line(now.minus(Duration.ofSeconds(14L * (LINES - i))).toEpochMilli(), i, log,
                    level, ip);
            d.put("phone", "1380013" + String.format("%04d", i));
            docs.add(d);
        }
        p.ingest().ingest("app", docs, true);
        return old.atZone(ZoneOffset.UTC).toLocalDate();
    }

    static Map<String, Object> line(long time, int i, String log, String level, String ip) {
        Map<String, Object> d = new HashMap<>();
        d.put("dtEventTimeStamp", time);
        d.put("serverIp", ip);
        d.put("path", "/var/log/app.log");
        d.put("gseIndex", i);
        d.put("iterationIndex", 0);
        d.put("log", log);
        d.put("level", level);
        return d;
    }

    /** An API call that must succeed; answers its JSON (null when empty). */
    JsonNode call(String token, String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean closed;

    /** A fixture over a server started elsewhere (its owner closes it), with a browser of its own. */
    static UiFixture attach(BklogServer server, String admin) {
        return new UiFixture(null, server, admin, null, null);
    }

    synchronized void closeBrowser() {
        if (browser != null) browser.close();
        if (playwright != null) playwright.close();
        browser = null;
        playwright = null;
    }

    synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (browser != null) browser.close();
            if (playwright != null) playwright.close();
        } finally {
            server.close();
        }
    }

    /** Starts the UI test server with its data and waits; prints the URL and both tokens. */
    public static void main(String[] args) throws Exception {
        UiFixture f = start();
        System.out.println("url " + f.url() + "/ui/\nadmin " + f.admin + "\nviewer " + f.viewer);
        Thread.currentThread().join();
    }
}
