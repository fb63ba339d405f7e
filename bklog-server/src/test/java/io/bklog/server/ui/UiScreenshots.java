package io.bklog.server.ui;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/**
 * Writes the screenshots of docs/ui/ (each screen at 1280 and 390 px) from the UI test server's data:
 * {@code java -cp <bklog-server test classpath> io.bklog.server.ui.UiScreenshots docs/ui} (docs/ui.md). Not a test:
 * the pictures are committed, and a run changes them (times differ).
 */
public final class UiScreenshots {
    private UiScreenshots() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/ui");
        Files.createDirectories(out);
        UiFixture f = UiFixture.get();
        try {
            // something to show on the dead letters and backups screens
            f.call(f.admin, "PUT", "/api/v1/index_sets/dl", "{\"fields\": [{\"name\": \"log\", \"type\": \"text\"},"
                    + " {\"name\": \"client_ip\", \"type\": \"ip\"}]}");
            f.call(f.admin, "POST", "/api/v1/index_sets/dl/ingest?refresh=true",
                    "[{\"log\": \"login from a bad address\", \"client_ip\": \"300.1.1.1\"}]");
            f.server.platform().operations().backups().full();
            f.server.platform().operations().lifecycle().syncCapacity();
            Map<String, String> screens = new LinkedHashMap<>();
            screens.put("search", "#/search?is=app&q=log:500&from=now-1h&to=now");
            screens.put("patterns", "#/search?is=app&from=now-1h&to=now&tab=patterns");
            screens.put("index-sets", "#/index_sets");
            screens.put("collectors", "#/collectors");
            screens.put("masking", "#/masking");
            screens.put("tokens", "#/tokens");
            screens.put("tasks", "#/tasks");
            screens.put("backups", "#/backups");
            screens.put("dead-letters", "#/dead_letters");
            screens.put("health", "#/health");
            for (int width : new int[] {UiPages.WIDE, UiPages.NARROW}) {
                for (Map.Entry<String, String> s : screens.entrySet()) {
                    Page page = UiPages.signedIn(f, f.admin, width);
                    page.navigate("/ui/" + s.getValue());
                    assertThat(page.locator("main h1, main h2").first()).isVisible();
                    page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
                    if (s.getKey().equals("collectors")) {
                        page.locator("#etl-preview-run").click();
                        assertThat(page.getByLabel("Parsed sample lines")).isVisible();
                        page.getByLabel("Parsed sample lines").scrollIntoViewIfNeeded();
                    }
                    if (s.getKey().equals("index-sets")) {
                        page.getByLabel("Index sets", new Page.GetByLabelOptions().setExact(true))
                                .getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                                        new Locator.GetByRoleOptions().setName("app").setExact(true)).click();
                        assertThat(page.getByLabel("Capacity of app").locator("tbody td").last()).not().hasText("not yet");
                    }
                    if (s.getKey().equals("dead-letters")) {
                        page.getByLabel("Index set").selectOption("dl");
                        assertThat(page.locator("#dl-total")).hasText("1 dead letter");
                    }
                    if (s.getKey().equals("search")) {
                        page.locator("button.field-name[data-field=level]").click();
                        assertThat(page.getByLabel("Top values of level")).isVisible();
                        page.getByLabel("Show document 1", new Page.GetByLabelOptions().setExact(true)).click();
                    }
                    page.screenshot(new Page.ScreenshotOptions().setFullPage(false)
                            .setPath(out.resolve(s.getKey() + "-" + width + ".png")));
                    page.context().close();
                }
                Page denied = UiPages.signedIn(f, f.viewer, width);
                denied.navigate("/ui/#/tokens");
                assertThat(denied.locator("h1")).hasText("Forbidden");
                denied.screenshot(new Page.ScreenshotOptions().setPath(out.resolve("forbidden-" + width + ".png")));
                denied.context().close();
                Page login = UiPages.signedIn(f, null, width);
                login.navigate("/ui/");
                assertThat(login.getByLabel("API token")).isVisible();
                login.screenshot(new Page.ScreenshotOptions().setPath(out.resolve("sign-in-" + width + ".png")));
                login.context().close();
            }
        } finally {
            f.close();
        }
        System.exit(0);
    }
}
