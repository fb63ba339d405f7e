package io.bklog.server.ui;

import com.microsoft.playwright.Page;
import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.HealthConfig;
import io.bklog.server.config.MetadataSettings;
import io.bklog.server.config.SchedulerConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * Measures the search screen's first render (navigation start to the first page of hits on screen, with the
 * histogram and the total) over N documents spread over the last 23 hours, all of them matching: {@code java -cp
 * <bklog-server test classpath> io.bklog.server.ui.UiFirstRender 1000000}. Prints the ingest time and the median of
 * 7 cold page loads (a new browser context each) on a warmed server (40 searches of the same shape first; {@code
 * cold} as the second argument skips them). A third argument is a data folder kept for the next run, which then
 * skips the ingest; {@code cpu} as the second argument times the search request's parts in process instead
 * ({@link SearchCpu}). docs/ui.md states the figures; not a test (it takes minutes).
 */
public final class UiFirstRender {
    private UiFirstRender() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        // a third argument keeps the data in that folder: a later run with the same folder skips the ingest
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("bklog-ui-perf");
        boolean reuse = Files.exists(dir.resolve("admin-token"));
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 8 * 1024 * 1024), dir.toString(),
                StoreConfig.defaults(), MetadataSettings.defaults(), new AuthConfig(true),
                new SchedulerConfig(false, 1, "1s", Map.of()), new HealthConfig("2s"));
        try (BklogServer server = BklogServer.start(config)) {
            LogPlatform p = server.platform();
            if (!reuse) ingest(p, n);
            if (args.length > 1 && args[1].equals("serve")) { // keep serving, to look by hand
                System.out.println("url " + server.uri() + "/ui/ token " + Files.readString(dir.resolve("admin-token")).strip());
                Thread.currentThread().join();
            }
            if (args.length > 1 && args[1].equals("cpu")) { // the server's search alone, in CPU time of this thread
                SearchCpu.run(p, "perf", 15);
                System.exit(0);
            }
            // a running server has compiled its search path; a just-started JVM runs it interpreted at first:
            // warm it with searches of the same shape (other ranges, so no cache answers the measured ones)
            boolean cold = args.length > 1 && args[1].equals("cold");
            for (int i = 0; !cold && i < 40; i++) {
                p.search().search("perf", new io.bklog.core.search.SearchParams("*", null, "now-" + (20 + i % 4) + "h",
                        "now-" + i + "s", 0, 50, null, true, null, null, new io.bklog.core.search.SearchAggs(
                        new io.bklog.core.search.SearchAggs.Histogram("auto"), List.of())));
            }
            UiFixture f = UiFixture.attach(server, Files.readString(dir.resolve("admin-token")).strip());
            long[] ms = new long[7];
            for (int run = 0; run < ms.length; run++) {
                Page page = UiPages.signedIn(f, f.admin, UiPages.WIDE);
                page.navigate("/ui/#/search?is=perf&from=now-24h&to=now");
                assertThat(page.locator("#summary")).containsText(" hits",
                        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
                ms[run] = Long.parseLong(page.locator("body").getAttribute("data-first-render-ms"));
                System.out.println("first render " + ms[run] + " ms (" + page.locator("#summary").textContent() + ")");
                // where the time went: each request of the page, from the navigation's start
                System.out.println("  " + page.evaluate("() => performance.getEntriesByType('resource').concat("
                        + "performance.getEntriesByType('navigation')).map(e => e.name.replace(location.origin, '')"
                        + " + ' ' + Math.round(e.startTime) + '+' + Math.round(e.duration)).join(', ')"));
                page.context().close();
            }
            Arrays.sort(ms);
            System.out.println("median first render over " + n + " docs: " + ms[ms.length / 2] + " ms");
            f.closeBrowser();
        }
        System.exit(0);
    }

    private static void ingest(LogPlatform p, int n) {
        p.indexSets().put("perf", io.bklog.core.indexset.IndexSetSpec.defaults());
        long now = p.clock().millis();
        long span = 23L * 3600 * 1000; // inside now-24h however long the ingest and the runs take
        long t0 = System.nanoTime();
        int batch = 10_000;
        for (int from = 0; from < n; from += batch) {
            List<Map<String, Object>> docs = new ArrayList<>(batch);
            for (int i = from; i < Math.min(n, from + batch); i++) {
                long t = now - span + span * i / n;
                docs.add(UiFixture.line(t, i, "GET /api/item/" + (i % 5000) + " " + (i % 7 == 0 ? 500 : 200)
                        + " took " + (i % 300) + "ms user " + i, i % 7 == 0 ? "ERROR" : "INFO", "10.0.0." + (i % 50)));
            }
            p.ingest().ingest("perf", docs, from + batch >= n);
        }
        System.out.printf("ingested %d docs in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    }
}
