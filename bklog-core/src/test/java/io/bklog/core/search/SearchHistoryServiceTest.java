package io.bklog.core.search;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.SearchHistoryEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Searches saved after their answer are listed as soon as the user asks, in order, and a failed save fails nothing. */
class SearchHistoryServiceTest {
    private final LogPlatform platform = LogPlatform.builder()
            .clock(Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC)).build();
    private final SearchHistoryService history = new SearchHistoryService(platform.internals().metadata(),
            platform.indexSets());

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void searchesSavedLaterAreListedAtOnceNewestFirst() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        for (int i = 0; i < 50; i++) history.recordLater("alice", "app", SearchParams.of("error " + i), true);
        history.recordLater("alice", "app", SearchParams.of("*"), true); // a match-all is not remembered
        List<SearchHistoryEntry> recent = history.recent("alice", "app", 3, true);
        assertThat(recent).extracting(SearchHistoryEntry::keyword).containsExactly("error 49", "error 48", "error 47");
        assertThat(history.recent("bob", "app", 3, true)).isEmpty();
    }

    @Test
    void aSaveThatFailsIsLoggedAndTheNextOnesStillCount() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        history.recordLater("alice", "gone", SearchParams.of("error"), true); // no such index set: the save fails
        history.recordLater("alice", "app", SearchParams.of("timeout"), true);
        assertThat(history.recent("alice", "app", 5, true)).extracting(SearchHistoryEntry::keyword)
                .containsExactly("timeout");
    }

    @Test
    void aBurstLargerThanABatchIsSavedInFullAndInOrder() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        int n = SearchHistoryService.MAX_BATCH * 2 + 7;
        for (int i = 0; i < n; i++) history.recordLater("alice", "app", SearchParams.of("error " + i), true);
        List<SearchHistoryEntry> all = history.recent("alice", "app", 0, true);
        assertThat(all).hasSize(n);
        assertThat(all.get(0).keyword()).isEqualTo("error " + (n - 1));
        assertThat(all.get(n - 1).keyword()).isEqualTo("error 0");
    }

    @Test
    void theSameSearchTwiceInARowIsSavedOnceAlsoWithinOneBatch() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        history.recordLater("alice", "app", SearchParams.of("error"), true);
        history.recordLater("alice", "app", SearchParams.of("error"), true);
        history.recordLater("bob", "app", SearchParams.of("error"), true);
        history.recordLater("alice", "app", SearchParams.of("timeout"), true);
        history.recordLater("alice", "app", SearchParams.of("error"), true);
        assertThat(history.recent("alice", "app", 10, true)).extracting(SearchHistoryEntry::keyword)
                .containsExactly("error", "timeout", "error");
        assertThat(history.recent("bob", "app", 10, true)).extracting(SearchHistoryEntry::keyword)
                .containsExactly("error");
    }

    @Test
    void closeWritesWhatIsQueuedAndLaterSearchesAreNotSaved() {
        long appId = platform.indexSets().create("app", IndexSetSpec.defaults()).id();
        for (int i = 0; i < 25; i++) history.recordLater("alice", "app", SearchParams.of("error " + i), true);
        history.close(); // no reader asked: the linger has not passed for these
        assertThat(platform.internals().metadata().searchHistory().listByUser("alice", appId, 0)).hasSize(25);
        history.recordLater("alice", "app", SearchParams.of("after the close"), true);
        history.close();
        assertThat(platform.internals().metadata().searchHistory().listByUser("alice", appId, 0))
                .extracting(SearchHistoryEntry::keyword).doesNotContain("after the close").hasSize(25);
    }

    @Test
    void thePlatformsHistoryIsWrittenOutWhenThePlatformCloses() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("bklog-history-close");
        LogPlatform p = LogPlatform.builder().dataDir(dir).build();
        p.indexSets().create("app", IndexSetSpec.defaults());
        for (int i = 0; i < 10; i++) p.searchHistory().recordLater("alice", "app", SearchParams.of("e" + i), true);
        p.close();
        try (LogPlatform again = LogPlatform.builder().dataDir(dir).build()) {
            assertThat(again.searchHistory().recent("alice", "app", 0, true)).hasSize(10);
        }
    }

    @Test
    void savesWhileTheMetadataDatabaseIsDownFailNothingAndAreLogged() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        history.recordLater("alice", "app", SearchParams.of("error"), true);
        history.recent("alice", "app", 1, true); // the set is read and cached once
        platform.internals().metadata().close();
        history.recordLater("alice", "app", SearchParams.of("timeout"), true);
        history.recordLater("alice", "app", SearchParams.of("refused"), true);
        history.awaitQueued(); // the saves fail on the writer thread; nothing is thrown here
        assertThat(history.failedSaves()).isEqualTo(2); // the second one counted without waiting for the database
        history.close();
    }

    @Test
    void aSaveAfterAnIdlePauseIsWrittenWithinTheLingerWithoutAReader() {
        long appId = platform.indexSets().create("app", IndexSetSpec.defaults()).id();
        var rows = platform.internals().metadata().searchHistory();
        history.recordLater("alice", "app", SearchParams.of("first"), true);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> rows.listByUser("alice", appId, 0).size() == 1);
        // the writer is now idle, waiting for more: a single save must wake it (not wait for its idle exit, 10 s)
        history.recordLater("alice", "app", SearchParams.of("second"), true);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> rows.listByUser("alice", appId, 0).size() == 2);
    }
}
