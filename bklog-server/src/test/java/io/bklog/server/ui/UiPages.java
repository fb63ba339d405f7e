package io.bklog.server.ui;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import java.util.ArrayList;
import java.util.List;

/** Pages of the shared {@link UiFixture}: a fresh browser context per test, signed in with a token. */
final class UiPages {
    static final int WIDE = 1280;
    static final int NARROW = 390;

    private UiPages() {}

    /** A page signed in with {@code token} (sessionStorage, as the sign-in form leaves it), at the given width. */
    static Page signedIn(UiFixture f, String token, int width) {
        BrowserContext ctx = f.browser().newContext(new Browser.NewContextOptions()
                .setViewportSize(width, width == NARROW ? 844 : 900).setAcceptDownloads(true)
                .setBaseURL(f.url()));
        ctx.setDefaultTimeout(10_000);
        if (token != null) {
            ctx.addInitScript("sessionStorage.setItem('bklog.token', " + quote(token) + ")");
        }
        return ctx.newPage();
    }

    /** Collects the page's console errors and failed requests to other hosts: the UI must load nothing from outside. */
    static List<String> problems(Page page, String base) {
        List<String> out = new ArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) out.add("console: " + m.text());
        });
        page.onRequest(r -> {
            if (!r.url().startsWith(base) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) {
                out.add("request outside the server: " + r.url());
            }
        });
        return out;
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
