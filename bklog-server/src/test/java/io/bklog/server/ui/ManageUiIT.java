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
    private static final Page.GetByLabelOptions EXACT = new Page.GetByLabelOptions().setExact(true);

    @Test
    void aCollectorIsBuiltInTheFormCreatedAfterItsEtlPreviewShowsTheParsedFields() {
        open(f.admin, UiPages.WIDE, "#/collectors");
        // the form builds the config: name, index set, source and its paths, ETL and its options, fields, time
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("web_pipe");
        page.getByLabel("Index set").selectOption("app");
        page.getByLabel("Source type").selectOption("syslog");
        assertThat(page.getByLabel("Port", EXACT)).isVisible();
        assertThat(page.getByLabel("Paths (one per line)")).isHidden();
        page.getByLabel("Source type").selectOption("file");
        assertThat(page.getByLabel("Port", EXACT)).isHidden();
        page.getByLabel("Paths (one per line)").fill("/var/log/web/*.log\n/var/log/web/old/*.log");
        page.getByLabel("ETL type").selectOption("bk_log_delimiter");
        page.getByLabel("Separator", EXACT).fill(";");
        page.getByLabel("Fields (comma-separated; for a delimiter, in column order)").fill("when, level, msg");
        page.getByLabel("Time field", EXACT).fill("when");
        page.getByLabel("Time format", EXACT).fill("yyyy-MM-dd HH:mm:ss");
        page.getByLabel("Time zone (hours)", EXACT).fill("0");
        page.getByLabel("Sample lines (one per line)").fill("2024-05-01 10:00:01;ERROR;card declined\n"
                + "2024-05-01 10:00:02;INFO;paid");
        page.locator("#etl-preview-run").click();
        Locator preview = page.getByLabel("Parsed sample lines");
        assertThat(preview.locator("tbody tr")).hasCount(2);
        assertThat(preview.locator("thead")).containsText("msg");
        assertThat(preview.locator("tbody tr").first()).containsText("card declined");
        assertThat(preview.locator("tbody tr").first()).containsText("ERROR");
        assertThat(preview.locator("tbody tr").first()).containsText("2024-05-01T10:00:01.000Z");

        // the advanced JSON holds what the form built, and an edit there fills the form back
        page.getByText("Advanced: the whole config as JSON").click();
        Locator json = page.getByLabel("Collector config (JSON, docs/collectors.md)");
        String built = json.inputValue();
        assertThat(built).contains("\"name\": \"web_pipe\"").contains("\"separator\": \";\"")
                .contains("\"/var/log/web/old/*.log\"").contains("\"field_index\": 3").contains("\"is_time\": true");
        json.fill(built.replace("\"web_pipe\"", "\"web_pipe2\""));
        assertThat(page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true))).hasValue("web_pipe2");
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("web_pipe");

        // a config the server refuses shows the entry it names, nothing is saved
        page.getByLabel("Time format", EXACT).fill("no such format %");
        page.getByText("Create collector").click();
        assertThat(page.locator("form .error")).containsText("time_format");
        page.getByLabel("Time format", EXACT).fill("yyyy-MM-dd HH:mm:ss");
        page.getByText("Create collector").click();
        assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).filter(
                new Locator.FilterOptions().setHasText("Created collector"))).containsText("web_pipe");
        assertThat(page.getByLabel("Collectors", new Page.GetByLabelOptions().setExact(true))).containsText("web_pipe");

        page.getByLabel("Value").fill("2024-05-01 10:00:00");
        page.getByLabel("Format (or auto)").fill("yyyy-MM-dd HH:mm:ss");
        page.getByLabel("Zone (hours)", new Page.GetByLabelOptions().setExact(true)).fill("8");
        page.getByText("Test", new Page.GetByTextOptions().setExact(true)).click();
        assertThat(page.locator("#tf-result")).containsText("2024-05-01T02:00:00Z");
    }

    @Test
    void anIndexSetIsCreatedAndUpdatedThroughItsFormAndShowsItsFieldsAndCapacity() {
        open(f.admin, UiPages.WIDE, "#/index_sets");
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("ui_made");
        Locator settings = page.getByLabel("Settings (JSON: fields, retention_days, storage_cluster, time_field…)");
        settings.fill("""
                {"retention_days": 3, "fields": [{"name": "log", "type": "text"}, {"name": "status", "type": "long"},
                 {"name": "dtEventTimeStamp", "type": "date"}]}""");
        page.getByText("Save index set").click();
        assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).filter(
                new Locator.FilterOptions().setHasText("Saved ui_made"))).containsText("version 1");
        Locator row = page.getByLabel("Index sets", new Page.GetByLabelOptions().setExact(true))
                .locator("tr", new Locator.LocatorOptions().setHasText("ui_made"));
        assertThat(row.locator("td").nth(3)).hasText("3"); // retention (days)

        f.call(f.admin, "POST", "/api/v1/index_sets/ui_made/ingest?refresh=true",
                "[{\"log\": \"a\", \"status\": 200}, {\"log\": \"b\", \"status\": 500}]");
        row.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON).click();
        assertThat(page.getByLabel("Fields of ui_made")).containsText("status");
        assertThat(page.getByLabel("Fields of ui_made").locator("tr", new Locator.LocatorOptions().setHasText("status")))
                .containsText("long");
        page.getByText("Sync capacity now").click();
        Locator capacity = page.getByLabel("Capacity of ui_made");
        assertThat(capacity.locator("tbody td").first()).hasText("2");
        assertThat(capacity).not().containsText("not yet");

        // the form now holds the set: an update keeps its fields and changes the retention
        assertThat(page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true))).hasValue("ui_made");
        settings.fill(settings.inputValue().replaceFirst("\"retention_days\"\\s*:\\s*3", "\"retention_days\": 5"));
        page.getByText("Save index set").click();
        assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.STATUS).filter(
                new Locator.FilterOptions().setHasText("Saved ui_made"))).containsText("version 2");
        assertThat(row.locator("td").nth(3)).hasText("5");
        assertThat(f.call(f.admin, "GET", "/api/v1/index_sets/ui_made", null).get("retention_days").asInt()).isEqualTo(5);
    }

    @Test
    void aDeadLetterIsListedWithItsReasonAndReplayed() {
        f.call(f.admin, "PUT", "/api/v1/index_sets/dl", """
                {"fields": [{"name": "log", "type": "text"}, {"name": "client_ip", "type": "ip"},
                 {"name": "dtEventTimeStamp", "type": "date"}]}""");
        f.call(f.admin, "POST", "/api/v1/index_sets/dl/ingest?refresh=true",
                "[{\"log\": \"good\", \"client_ip\": \"10.0.0.2\"}, {\"log\": \"bad address\", \"client_ip\": \"300.1.1.1\"}]");
        open(f.admin, UiPages.NARROW, "#/dead_letters");
        page.getByLabel("Index set").selectOption("dl");
        assertThat(page.locator("#dl-total")).hasText("1 dead letter");
        Locator letters = page.getByLabel("Dead letters", new Page.GetByLabelOptions().setExact(true));
        assertThat(letters.locator("tbody tr")).hasCount(1);
        assertThat(letters.locator("tbody tr")).containsText("300.1.1.1");
        assertThat(letters.locator("tbody tr")).containsText("bad address");
        assertThat(letters.locator("tbody tr")).containsText("client_ip");

        // the value is still refused: the replay says so with the store's reason, and the letter stays
        page.getByText("Replay all").click();
        assertThat(page.locator("#dl-status")).containsText("Replayed 1: 0 stored, 1 refused again.");
        assertThat(page.locator("#dl-status li")).containsText("300.1.1.1");
        assertThat(page.locator("#dl-total")).hasText("1 dead letter");
        page.getByLabel("Index set").selectOption("app");
        assertThat(page.locator("#dl-total")).hasText("0 dead letters");
        assertThat(page.getByText("Replay all")).isDisabled();
    }

    @Test
    void aFullBackupIsTakenListedAndVerified() {
        open(f.admin, UiPages.WIDE, "#/backups");
        page.getByText("Full backup now").click();
        assertThat(page.locator("#backup-status")).containsText("full backup: done",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
        String id = page.locator("#backup-status").textContent().replaceAll("(?s).*done — ", "").strip();
        Locator row = page.getByLabel("Backups", new Page.GetByLabelOptions().setExact(true))
                .locator("tr", new Locator.LocatorOptions().setHasText(id));
        assertThat(row).containsText("full");
        page.getByLabel("Verify " + id).click();
        assertThat(page.locator("#backup-status")).hasText(id + ": verified, no problem found");
    }

    @Test
    void healthListsEveryNamespaceWithItsMetrics() {
        com.fasterxml.jackson.databind.JsonNode health = f.call(f.admin, "GET", "/healthz", null);
        open(f.viewer, UiPages.NARROW, "#/health");
        for (com.fasterxml.jackson.databind.JsonNode ns : health.get("data")) {
            Locator section = page.getByLabel("Namespace " + ns.get("namespace").asText());
            assertThat(section).isVisible();
            assertThat(section.locator("th").last()).hasText("Suggestion");
            for (com.fasterxml.jackson.databind.JsonNode m : ns.get("data")) {
                assertThat(section).containsText(m.get("metric_name").asText());
            }
        }
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
    void aTaskRunsFromItsScreen() {
        open(f.admin, UiPages.WIDE, "#/tasks");
        assertThat(page.getByLabel("Tasks")).containsText("ops.retention");
        page.getByLabel("Tasks").locator("tr", new Locator.LocatorOptions().setHasText("ops.capacity_sync"))
                .getByText("Run now").click();
        assertThat(page.locator("main")).containsText("ops.capacity_sync: done");
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
