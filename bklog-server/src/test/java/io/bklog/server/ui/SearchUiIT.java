package io.bklog.server.ui;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import io.bklog.core.LogPlatform;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search screen in Debian's chromium against a real server with data ({@link UiFixture}): sign-in, a query
 * error shown at its position then fixed, the URL holding the state (back button), histogram drag, sidebar filter,
 * expandable document and copy as JSON, context, paging, live tail, sync and async export, favorites and history,
 * patterns, masking for a viewer, and the page loading nothing from outside the server.
 */
class SearchUiIT extends UiTest {
    private Locator hits() {
        return page.locator("table.hits tr.hit");
    }

    private String hashParam(String name) {
        String hash = page.url().substring(page.url().indexOf('#'));
        for (String kv : hash.substring(hash.indexOf('?') + 1).split("&")) {
            if (kv.startsWith(name + "=")) return URLDecoder.decode(kv.substring(name.length() + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    @Test
    void signInThenAQueryErrorIsShownAtItsPositionAndTheFixSearches() {
        open(null, UiPages.WIDE, "#/search?is=app&from=now-1h&to=now");
        page.getByLabel("API token").fill("not-a-token");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT)).containsText("unknown");
        page.getByLabel("API token").fill(f.admin);
        page.keyboard().press("Enter");
        assertThat(hits()).hasCount(50);

        page.getByLabel("Query").fill("log:(500 OR");
        page.keyboard().press("Enter");
        Locator error = page.locator("#query-error");
        assertThat(error).containsText("bad_query");
        assertThat(error).containsText("position 11");
        assertThat(error.locator("pre.caret")).hasText("log:(500 OR\n           ^");
        assertThat(page.getByLabel("Query")).hasAttribute("aria-invalid", "true");

        page.getByLabel("Query").fill("log:(500 OR 429)");
        page.keyboard().press("Enter");
        assertThat(error).isEmpty();
        assertThat(page.locator("#summary")).containsText("120 hits");
        assertThat(page.locator("table.hits mark").first()).hasText(java.util.regex.Pattern.compile("500|429"));
        assertThat(hashParam("q")).isEqualTo("log:(500 OR 429)");

        // the URL holds the state: back returns to the failed query's URL, forward to the fix
        page.goBack();
        assertThat(page.getByLabel("Query")).hasValue("log:(500 OR");
        page.goForward();
        assertThat(page.getByLabel("Query")).hasValue("log:(500 OR 429)");
        assertThat(page.locator("#summary")).containsText("120 hits");
    }

    @Test
    void draggingOnTheHistogramSelectsThatTimeRange() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&from=now-1h&to=now");
        assertThat(page.locator("#summary")).containsText("240 hits");
        BoundingBox box = page.locator("#histogram").boundingBox();
        double y = box.y + box.height / 2;
        page.mouse().move(box.x + box.width * 0.25, y);
        page.mouse().down();
        page.mouse().move(box.x + box.width * 0.5, y, new com.microsoft.playwright.Mouse.MoveOptions().setSteps(5));
        page.mouse().up();
        page.waitForCondition(() -> !"now-1h".equals(hashParam("from")));
        Instant from = Instant.parse(hashParam("from"));
        Instant to = Instant.parse(hashParam("to"));
        assertThat(Duration.between(from, to)).isBetween(Duration.ofMinutes(13), Duration.ofMinutes(17));
        assertThat(page.getByLabel("From", new Page.GetByLabelOptions().setExact(true))).hasValue(hashParam("from"));
        assertThat(page.locator("#summary")).containsText(" hits");
        String summary = page.locator("#summary").textContent();
        int n = Integer.parseInt(summary.substring(0, summary.indexOf(' ')).replace(",", ""));
        assertThat(n).as("a quarter of an hour of lines every 15 s").isBetween(50, 70);
    }

    @Test
    void aTopValueOfTheSidebarFiltersAndTheChipRemovesIt() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&from=now-1h&to=now");
        page.locator("button.field-name[data-field=level]").click();
        Locator values = page.getByLabel("Top values of level");
        assertThat(values.locator("li")).hasCount(3);
        page.getByLabel("Filter level is ERROR").click();
        assertThat(page.locator("#summary")).containsText("60 hits");
        assertThat(page.locator(".chip")).hasText(java.util.regex.Pattern.compile("level is ERROR"));
        assertThat(hashParam("add")).contains("\"field\":\"level\"");
        page.getByLabel("Filter level is not ERROR").count();
        page.getByLabel("Remove filter level is ERROR").click();
        assertThat(page.locator("#summary")).containsText("240 hits");
    }

    @Test
    void aDocumentExpandsCopiesAsJsonAndShowsItsContext() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&q=gseIndex:100&from=now-1h&to=now", "clipboard-read",
                "clipboard-write");
        assertThat(hits()).hasCount(1);
        page.getByLabel("Show document 1").click();
        assertThat(page.getByLabel("Show document 1")).hasAttribute("aria-expanded", "true");
        assertThat(page.locator("#hit-detail-0 pre.json")).containsText("\"gseIndex\": 100");
        page.getByText("Copy as JSON").click();
        assertThat(page.locator("#toast")).containsText("Copied");
        Object copied = page.evaluate("navigator.clipboard.readText()");
        assertThat(copied.toString()).contains("\"gseIndex\": 100", "\"serverIp\": \"10.0.0.2\"");

        page.getByText("View in context").click();
        Locator lines = page.locator("#context .lines div");
        assertThat(page.locator("#context .here")).containsText("user 100");
        // same serverIp + path: every third line of the data
        assertThat(page.locator("#context .lines")).containsText("user 97");
        assertThat(page.locator("#context .lines")).containsText("user 103");
        assertThat(lines).hasCount(21);
    }

    @Test
    void pagesGoOlderAndNewer() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&from=now-1h&to=now");
        assertThat(page.locator("#page-info")).hasText("1–50 of 240");
        assertThat(page.locator("#prev-page")).isDisabled();
        page.locator("#next-page").click();
        assertThat(page.locator("#page-info")).hasText("51–100 of 240");
        assertThat(hits().first()).containsText("user 189");
        page.goBack();
        assertThat(page.locator("#page-info")).hasText("1–50 of 240");
        assertThat(hits().first()).containsText("user 239");
    }

    @Test
    void olderKeepsPagingPastTheTenThousandLineWindowAndNewerStepsBack() {
        // an index set of its own with 10,100 lines, one every 500 ms, newest first: position p is line 10099 - p
        f.call(f.admin, "PUT", "/api/v1/index_sets/deep", "{}");
        // straight into the store: the ingest pipeline is not what this test is about, and is slower
        LogPlatform p = f.server.platform();
        long start = p.clock().millis() - Duration.ofHours(2).toMillis();
        List<io.bklog.spi.LogDocument> docs = new java.util.ArrayList<>();
        for (int i = 0; i < 10_100; i++) {
            long t = start + 500L * i;
            Map<String, Object> line = UiFixture.line(t, i, "deep line " + i + " end", "INFO", "10.0.0.7");
            line.remove("level"); // a field of the index set's defaults only
            docs.add(new io.bklog.spi.LogDocument("deep-" + i, Instant.ofEpochMilli(t), line));
        }
        p.internals().store().index("deep", docs);
        p.internals().store().refresh("deep");

        // the last page inside the window is a "begin" page; the next ones are search_after the page before
        open(f.admin, UiPages.WIDE, "#/search?is=deep&from=now-3h&to=now&b=9950");
        assertThat(page.locator("#page-info")).hasText("9,951–10,000 of 10,100");
        assertThat(hits().first()).containsText("deep line 149 end");
        page.locator("#next-page").click();
        assertThat(page.locator("#page-info")).hasText("10,001–10,050 of 10,100");
        assertThat(hits()).hasCount(50);
        assertThat(hits().first()).containsText("deep line 99 end");
        assertThat(hits().last()).containsText("deep line 50 end");
        assertThat(hashParam("after")).isNotNull();
        page.locator("#next-page").click();
        assertThat(page.locator("#page-info")).hasText("10,051–10,100 of 10,100");
        assertThat(hits().last()).containsText("deep line 0 end");
        assertThat(page.locator("#next-page")).isDisabled();

        // Newer steps back through the cursors, and a reload of a deep page shows the same lines
        page.locator("#prev-page").click();
        assertThat(page.locator("#page-info")).hasText("10,001–10,050 of 10,100");
        assertThat(hits().first()).containsText("deep line 99 end");
        page.reload();
        assertThat(hits().first()).containsText("deep line 99 end");
        page.locator("#prev-page").click();
        assertThat(page.locator("#page-info")).hasText("9,951–10,000 of 10,100");
        assertThat(hashParam("after")).isNull();
        assertThat(hits().first()).containsText("deep line 149 end");
    }

    @Test
    void liveTailReceivesLinesStoredAfterItOpened() {
        // an index set of its own, so the lines it adds change no other test's counts
        f.call(f.admin, "PUT", "/api/v1/index_sets/live_tail", "{}");
        open(f.admin, UiPages.WIDE, "#/search?is=live_tail&from=now-1h&to=now");
        assertThat(page.locator("#summary")).containsText("0 hits");
        page.locator("#tail-toggle").click();
        assertThat(page.locator("#tail-status")).containsText("following");
        LogPlatform p = f.server.platform();
        long now = p.clock().millis();
        p.ingest().ingest("live_tail", List.of(UiFixture.line(now, 9001, "tailmarker first", "INFO", "10.0.0.7"),
                UiFixture.line(now + 1, 9002, "tailmarker second", "INFO", "10.0.0.7")), true);
        assertThat(page.locator("#tail-lines .tail-line")).hasCount(2);
        assertThat(page.locator("#tail-lines")).containsText("tailmarker second");
        page.locator("#tail-toggle").click();
        assertThat(page.locator("#tail-toggle")).hasText("Live tail");
    }

    @Test
    void syncAndAsyncExportsDownloadTheMatchingLines() throws Exception {
        open(f.admin, UiPages.WIDE, "#/search?is=app&q=level:WARN&from=now-1h&to=now");
        assertThat(page.locator("#summary")).containsText("60 hits");
        Download csv = page.waitForDownload(() -> page.locator("#export-csv").click());
        assertThat(csv.suggestedFilename()).isEqualTo("bk_log_search_app.csv");
        List<String> rows = Files.readAllLines(csv.path());
        assertThat(rows).hasSize(61);
        assertThat(rows.get(1)).contains("429 slow down");

        page.locator("#export-async").click();
        assertThat(page.locator("#export-status")).containsText("done: 60 lines");
        assertThat(page.locator("#export-progress")).hasAttribute("value", "1");
        Download gz = page.waitForDownload(() -> page.locator("#export-download").click());
        assertThat(gz.suggestedFilename()).endsWith(".csv.gz");
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(gz.path()))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text.lines().count()).isEqualTo(61);
        }
    }

    @Test
    void aSavedFavoriteAndTheHistoryReopenTheirSearch() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&q=level:ERROR&from=now-1h&to=now");
        assertThat(page.locator("#summary")).containsText("60 hits");
        page.locator("#save-favorite").click();
        page.getByLabel("Favorite name").fill("errors of the hour");
        page.getByLabel("Favorite name").press("Enter");
        assertThat(page.locator("#panel")).containsText("Saved");
        page.navigate("/ui/#/search?is=app&from=now-1h&to=now");
        assertThat(page.locator("#summary")).containsText("240 hits");
        page.getByLabel("Favorites").selectOption(new com.microsoft.playwright.options.SelectOption()
                .setLabel("errors of the hour (app)"));
        assertThat(page.locator("#summary")).containsText("60 hits");
        assertThat(page.getByLabel("Query")).hasValue("level:ERROR");
        page.getByLabel("History").selectOption("level:ERROR");
        assertThat(page.getByLabel("Query")).hasValue("level:ERROR");
    }

    @Test
    void thePatternsTabListsTheClustersAndShowsTheirLines() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&from=now-1h&to=now&tab=patterns");
        assertThat(page.locator("#results table")).containsText("GET <PATH> <NUM> ok user <NUM>");
        page.locator("#results tr", new Page.LocatorOptions().setHasText("ok user")).getByText("Show lines").click();
        assertThat(page.locator("#summary")).containsText("120 hits");
        assertThat(page.locator("#tab-hits")).hasAttribute("aria-selected", "true");
    }

    @Test
    void aViewerSeesMaskedValuesEverywhereTheUiShowsThem() throws Exception {
        open(f.viewer, UiPages.NARROW, "#/search?is=app&q=gseIndex:7&from=now-1h&to=now");
        assertThat(hits()).hasCount(1);
        assertThat(hits().first()).containsText("phone 138******07");
        page.getByLabel("Show document 1").click();
        assertThat(page.locator("#hit-detail-0 pre.json")).containsText("\"phone\": \"138******07\"");
        assertThat(page.locator("body")).not().containsText("13800130007");
        page.locator("button.field-name[data-field=phone]").click();
        assertThat(page.locator(".sidebar .error")).containsText("masked_field");
        assertThat(page.locator("body")).not().containsText("13800130007");
        Download csv = page.waitForDownload(() -> page.locator("#export-csv").click());
        String exported = Files.readString(csv.path());
        assertThat(exported).contains("138******07").doesNotContain("13800130007");
    }

    @Test
    void searchRendersAt390PixelsWithoutHorizontalScroll() {
        open(f.admin, UiPages.NARROW, "#/search?is=app&from=now-1h&to=now");
        assertThat(hits()).hasCount(50);
        Object overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
    }

    @Test
    void browsersAreSentToTheUiWhileElasticsearchClientsStillGetTheRoot() {
        open(f.admin, UiPages.WIDE, "");
        page.navigate("/");
        assertThat(page).hasURL(java.util.regex.Pattern.compile("/ui/#/search$|/ui/$"));
        assertThat(hits()).hasCount(50);
        Map<String, String> headers = page.request().get("/ui/app.js").headers();
        assertThat(headers.get("content-security-policy")).contains("default-src 'self'");
    }
}
