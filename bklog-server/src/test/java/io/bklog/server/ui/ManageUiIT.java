package io.bklog.server.ui;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manage screens in Debian's chromium against the shared {@link UiFixture}: a collector created after an ETL
 * preview and a time-format test, a restore of the archived day started and followed to the end, masking preview,
 * a token shown once, tasks, health, and the 403 screen for a viewer on every admin screen.
 */
class ManageUiIT extends UiTest {
    @Test
    void aCollectorIsCreatedAfterItsEtlPreviewShowsTheParsedFields() {
        open(f.admin, UiPages.WIDE, "#/collectors");
        page.getByLabel("Sample lines (one per line)").fill("2024-05-01 10:00:01|ERROR|card declined\n"
                + "2024-05-01 10:00:02|INFO|paid");
        page.locator("#etl-preview-run").click();
        Locator preview = page.getByLabel("Parsed sample lines");
        assertThat(preview.locator("tbody tr")).hasCount(2);
        assertThat(preview.locator("tbody tr").first()).containsText("card declined");
        assertThat(preview.locator("tbody tr").first()).containsText("ERROR");
        assertThat(preview.locator("tbody tr").first()).containsText("2024-05-01T10:00:01.000Z");

        // a config the server refuses shows the entry it names, nothing is saved
        String good = page.getByLabel("Collector config (JSON, docs/collectors.md)").inputValue();
        page.getByLabel("Collector config (JSON, docs/collectors.md)").fill(good.replace("\"yyyy-MM-dd HH:mm:ss\"",
                "\"no such format %\""));
        page.getByText("Create collector").click();
        assertThat(page.locator("form .error")).containsText("time_format");
        // the sample's path is under the default allow-list (/var/log/**)
        page.getByLabel("Collector config (JSON, docs/collectors.md)").fill(good);
        page.getByText("Create collector").click();
        assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).filter(
                new Locator.FilterOptions().setHasText("Created collector"))).containsText("app_file");
        assertThat(page.getByLabel("Collectors", new Page.GetByLabelOptions().setExact(true))).containsText("app_file");

        page.getByLabel("Value").fill("2024-05-01 10:00:00");
        page.getByLabel("Format (or auto)").fill("yyyy-MM-dd HH:mm:ss");
        page.getByLabel("Zone (hours)").fill("8");
        page.getByText("Test", new Page.GetByTextOptions().setExact(true)).click();
        assertThat(page.locator("#tf-result")).containsText("2024-05-01T02:00:00Z");
    }

    @Test
    void aRestoreOfTheArchivedDayIsStartedAndFollowedToTheEnd() {
        open(f.admin, UiPages.WIDE, "#/backups");
        String day = f.oldDay.atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        String end = f.oldDay.atStartOfDay(ZoneOffset.UTC).plusHours(23).toInstant().toString();
        page.getByLabel("Index set").selectOption("app");
        page.getByLabel("From", new Page.GetByLabelOptions().setExact(true)).fill(day);
        page.getByLabel("To", new Page.GetByLabelOptions().setExact(true)).fill(end);
        page.getByText("Start restore").click();
        assertThat(page.locator("#restore-status")).containsText("done — restored 3 docs");
        assertThat(page.locator("#restore-progress")).hasAttribute("value", "1");
        assertThat(page.getByLabel("Restores")).containsText("done");
        page.navigate("/ui/#/search?is=app&q=log:archived&from=" + day + "&to=" + end);
        assertThat(page.locator("#summary")).containsText("3 hits");
    }

    @Test
    void theMaskingPreviewMasksAsTheConfigChanges() {
        open(f.admin, UiPages.WIDE, "#/masking");
        assertThat(page.locator("#mask-preview")).containsText("138******00");
        String cfg = page.getByLabel("Masking config of the index set (field_configs, text_fields)").inputValue();
        page.getByLabel("Masking config of the index set (field_configs, text_fields)")
                .fill(cfg.replace("\"preserve_tail\" : 2", "\"preserve_tail\" : 4").replace("\"preserve_tail\": 2", "\"preserve_tail\": 4"));
        assertThat(page.locator("#mask-preview")).containsText("138****8000");
    }

    @Test
    void aNewTokenIsShownOnceAndWorks() {
        open(f.admin, UiPages.WIDE, "#/tokens");
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).first().fill("ui-made");
        page.getByText("Create token").click();
        String token = page.locator("#new-token").textContent().strip();
        assertThat(token).startsWith("bkl_");
        assertThat(page.getByLabel("Tokens")).containsText("ui-made");
        assertThat(f.call(token, "GET", "/api/v1/index_sets", null).get("index_sets").size()).isPositive();
        page.reload();
        assertThat(page.getByLabel("Tokens")).containsText("ui-made");
        assertThat(page.locator("body")).not().containsText(token);
    }

    @Test
    void aTaskRunsFromItsScreenAndHealthIsListed() {
        open(f.admin, UiPages.WIDE, "#/tasks");
        assertThat(page.getByLabel("Tasks")).containsText("ops.retention");
        page.getByLabel("Tasks").locator("tr", new Locator.LocatorOptions().setHasText("ops.capacity_sync"))
                .getByText("Run now").click();
        assertThat(page.locator("main")).containsText("ops.capacity_sync: done");
        page.navigate("/ui/#/health");
        assertThat(page.getByLabel("Namespace mysql")).containsText("ping");
    }

    @Test
    void aViewerGetsThe403ScreenOnEveryAdminScreen() {
        open(f.viewer, UiPages.NARROW, "#/search");
        for (String screen : List.of("index_sets", "collectors", "masking", "tokens", "tasks", "backups", "dead_letters")) {
            page.navigate("/ui/#/" + screen);
            assertThat(page.locator("h1")).hasText("Forbidden");
            assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT)).containsText("lacks the role 'admin'");
        }
        page.navigate("/ui/#/health");
        assertThat(page.locator("h1")).containsText("Health");
    }

    @Test
    void screensAreKeyboardUsable() {
        open(f.admin, UiPages.WIDE, "#/search?is=app&from=now-1h&to=now");
        assertThat(page.locator("table.hits tr.hit")).hasCount(50);
        page.keyboard().press("Tab");
        assertThat(page.locator(":focus")).hasText("Skip to content");
        page.keyboard().press("Enter");
        page.getByLabel("Query").focus();
        page.keyboard().type("level:WARN");
        page.keyboard().press("Enter");
        assertThat(page.locator("#summary")).containsText("60 hits");
        page.getByLabel("Show document 1", new Page.GetByLabelOptions().setExact(true)).focus();
        page.keyboard().press("Enter");
        assertThat(page.locator("#hit-detail-0")).isVisible();
    }
}
