package io.bklog.server.ui;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterEach;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the UI ITs: the shared {@link UiFixture}, one page per test in a fresh browser context, and after each test
 * the check that the page logged no console error and asked nothing from outside the server (an API's 4xx logs
 * "Failed to load resource", which the UI expects and shows).
 */
abstract class UiTest {
    final UiFixture f = UiFixture.get();
    Page page;
    private List<String> problems;

    /** Opens {@code /ui/{hash}} signed in with {@code token} (none: the sign-in form) at {@code width} px. */
    Page open(String token, int width, String hash, String... permissions) {
        page = UiPages.signedIn(f, token, width);
        if (permissions.length > 0) page.context().grantPermissions(List.of(permissions));
        problems = UiPages.problems(page, f.url());
        page.navigate("/ui/" + hash);
        return page;
    }

    @AfterEach
    void closePage() {
        if (page != null) {
            page.context().close();
            assertThat(problems.stream().filter(p -> !p.contains("Failed to load resource")).toList())
                    .as("console errors and requests outside the server").isEmpty();
        }
    }
}
