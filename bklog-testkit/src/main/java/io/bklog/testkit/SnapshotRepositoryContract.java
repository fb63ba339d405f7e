package io.bklog.testkit;

import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.SnapshotRepository.SnapshotInfo;
import io.bklog.spi.SnapshotRepository.State;
import io.bklog.spi.query.Query;
import io.bklog.testkit.store.NginxCorpus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.bklog.testkit.store.NginxCorpus.DAY1;
import static io.bklog.testkit.store.NginxCorpus.DAY2;
import static io.bklog.testkit.store.NginxCorpus.DAY3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The compatibility kit of {@link SnapshotRepository}. A subclass gives a fresh store and a repository bound to it;
 * before each test the store holds index set {@value #NGINX} with the {@link NginxCorpus} (three daily indices of
 * 8 documents). After each test the snapshots it created and the store's {@value #NGINX} indices (originals and
 * {@code restore_} copies) are deleted.
 *
 * <p>Pinned beyond the SPI javadoc: {@code create} of an existing name and of a missing index throw
 * {@link IllegalArgumentException}; {@code restore} into an existing index throws {@link IllegalArgumentException};
 * a restored {@code restore_} copy belongs to the index set of the original name and is searched with it; a snapshot
 * keeps the documents as they were when it was taken.
 */
public abstract class SnapshotRepositoryContract {

    protected static final String NGINX = "nginx";
    protected static final String RESTORE = IndexNames.RESTORE_PREFIX;

    @TempDir
    protected Path tempDir;

    protected LogStore store;
    protected SnapshotRepository repository;

    /** A new, empty store keeping its files (if any) under {@code dir}. */
    protected abstract LogStore createStore(Path dir) throws Exception;

    /** A repository taking snapshots of {@code store}, keeping its files (if any) under {@code dir}. */
    protected abstract SnapshotRepository createRepository(LogStore store, Path dir) throws Exception;

    protected final String day1 = IndexNames.daily(NGINX, DAY1, 0);
    protected final String day2 = IndexNames.daily(NGINX, DAY2, 0);
    protected final String day3 = IndexNames.daily(NGINX, DAY3, 0);

    /** Snapshot names the tests create; {@link #tearDown} deletes them. */
    protected final List<String> created = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Path storeDir = Files.createDirectories(tempDir.resolve("store"));
        Path repoDir = Files.createDirectories(tempDir.resolve("repository"));
        store = createStore(storeDir);
        store.ensureIndexSet(NginxCorpus.schema(NGINX));
        BulkResult r = store.index(NGINX, NginxCorpus.documents());
        assertThat(r.allOk()).as("corpus indexed: %s", r.items()).isTrue();
        store.refresh(NGINX);
        repository = createRepository(store, repoDir);
    }

    @AfterEach
    void tearDown() {
        try {
            if (repository != null) {
                created.forEach(repository::delete);
                repository.close();
            }
        } finally {
            if (store != null) {
                List<String> names = store.listIndices(NGINX).stream().map(IndexInfo::name).toList();
                store.deleteIndices(names);
                store.deleteIndices(List.of(RESTORE + day1, RESTORE + day2, RESTORE + day3));
                store.close();
            }
        }
    }

    protected SnapshotInfo create(String name, List<String> indices) {
        created.add(name);
        return repository.create(name, indices, SnapshotRepository.ProgressListener.NONE);
    }

    protected List<String> restore(String name, List<String> indices) {
        return repository.restore(name, indices, RESTORE, SnapshotRepository.ProgressListener.NONE);
    }

    protected SearchResult searchAll() {
        return store.search(SearchRequest.builder(NGINX).size(1000).build());
    }

    @Test
    void verifySucceedsOnAWorkingRepository() {
        repository.verify();
        assertThat(repository.name()).isNotBlank();
    }

    @Test
    void createWaitsForTheSnapshotAndReportsSuccessWithDocCounts() {
        long before = Instant.now().toEpochMilli();
        SnapshotInfo info = create("snap1", List.of(day1, day2));
        assertThat(info.name()).isEqualTo("snap1");
        assertThat(info.state()).isEqualTo(State.SUCCESS);
        assertThat(info.docCounts()).containsExactlyInAnyOrderEntriesOf(Map.of(day1, 8L, day2, 8L));
        assertThat(info.indices()).containsExactly(day1, day2);
        assertThat(info.sizeBytes()).isPositive();
        assertThat(info.startMillis()).isGreaterThanOrEqualTo(before - 1000);
        assertThat(info.endMillis()).isGreaterThanOrEqualTo(info.startMillis());
        assertThat(info.failure()).isNull();
    }

    @Test
    void createWithAnExistingNameThrows() {
        create("snap1", List.of(day1));
        assertThatThrownBy(() -> repository.create("snap1", List.of(day2), SnapshotRepository.ProgressListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snap1");
        assertThat(repository.get("snap1").orElseThrow().indices()).containsExactly(day1);
    }

    @Test
    void createOfAMissingIndexThrows() {
        created.add("snapmissing");
        assertThatThrownBy(() -> repository.create("snapmissing", List.of("v2_nginx_29990101_0"),
                SnapshotRepository.ProgressListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v2_nginx_29990101_0");
    }

    @Test
    void listAndGetFindSnapshotsByName() {
        create("snap1", List.of(day1));
        create("snap2", List.of(day2, day3));
        assertThat(repository.list()).extracting(SnapshotInfo::name).contains("snap1", "snap2");
        SnapshotInfo two = repository.get("snap2").orElseThrow();
        assertThat(two.state()).isEqualTo(State.SUCCESS);
        assertThat(two.docCounts()).containsExactlyInAnyOrderEntriesOf(Map.of(day2, 8L, day3, 8L));
        assertThat(repository.get("nosuchsnapshot")).isEmpty();
    }

    @Test
    void restoreWithThePrefixYieldsAnIndexSearchedWithTheIndexSet() {
        Map<String, Map<String, Object>> original = sourcesOfDay(day1);
        create("snap1", List.of(day1, day2));
        store.deleteIndices(List.of(day1));
        assertThat(searchAll().total()).isEqualTo(16);

        List<String> restored = restore("snap1", List.of(day1));
        assertThat(restored).containsExactly(RESTORE + day1);
        store.refresh(NGINX);

        IndexInfo info = store.listIndices(RESTORE + day1).get(0);
        assertThat(info.docCount()).isEqualTo(8);
        assertThat(info.indexSet()).isEqualTo(NGINX);
        assertThat(store.listIndices(NGINX)).extracting(IndexInfo::name).contains(RESTORE + day1);

        SearchResult all = searchAll();
        assertThat(all.total()).isEqualTo(24);
        Map<String, Map<String, Object>> back = all.hits().stream().filter(h -> h.index().equals(RESTORE + day1))
                .collect(Collectors.toMap(SearchResult.Hit::id, SearchResult.Hit::source));
        assertThat(back).isEqualTo(original);
        SearchResult refused = store.search(SearchRequest.builder(NGINX).query(new Query.Term("log", "refused"))
                .timeRange(NginxCorpus.START, Instant.parse("2024-03-02T00:00:00Z")).build());
        assertThat(refused.hits()).extracting(SearchResult.Hit::id).containsExactlyInAnyOrder("n04", "n08");
    }

    @Test
    void restoreOfAnEmptyIndexListRestoresEveryIndexOfTheSnapshot() {
        create("snap1", List.of(day1, day3));
        List<String> restored = restore("snap1", List.of());
        assertThat(restored).containsExactlyInAnyOrder(RESTORE + day1, RESTORE + day3);
        store.refresh(NGINX);
        assertThat(searchAll().total()).as("originals and restored copies are both searched").isEqualTo(40);
    }

    @Test
    void aSnapshotKeepsTheDocumentsAsTheyWereWhenTaken() {
        create("snap1", List.of(day1));
        Map<String, Object> changed = Map.of("log", "changed after the snapshot", "level", "DEBUG");
        store.index(NGINX, List.of(new LogDocument("n01", NginxCorpus.byId("n01").time(), changed),
                new LogDocument("extra", Instant.parse("2024-03-01T12:30:00Z"), changed)));
        store.refresh(NGINX);
        store.deleteIndices(List.of(day1));

        restore("snap1", List.of(day1));
        store.refresh(NGINX);
        SearchResult r = searchAll();
        assertThat(r.total()).isEqualTo(24);
        Map<String, SearchResult.Hit> byId = r.hits().stream()
                .collect(Collectors.toMap(SearchResult.Hit::id, Function.identity()));
        assertThat(byId).doesNotContainKey("extra");
        assertThat(byId.get("n01").source()).containsEntry("log", NginxCorpus.byId("n01").log());
    }

    @Test
    void restoreIntoAnExistingIndexThrows() {
        create("snap1", List.of(day1));
        restore("snap1", List.of(day1));
        assertThatThrownBy(() -> restore("snap1", List.of(day1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(RESTORE + day1);
        assertThatThrownBy(() -> repository.restore("snap1", List.of(day1), "", SnapshotRepository.ProgressListener.NONE))
                .as("restoring over the live original")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(day1);
    }

    @Test
    void restoreOfAMissingSnapshotThrows() {
        assertThatThrownBy(() -> restore("nosuchsnapshot", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuchsnapshot");
    }

    @Test
    void deleteRemovesTheSnapshot() {
        create("snap1", List.of(day1));
        create("snap2", List.of(day2));
        repository.delete("snap1");
        assertThat(repository.get("snap1")).isEmpty();
        assertThat(repository.list()).extracting(SnapshotInfo::name).doesNotContain("snap1").contains("snap2");
        assertThat(store.listIndices(day1)).as("the index itself stays").hasSize(1);
    }

    @Test
    void deleteOfAMissingSnapshotIsANoOp() {
        repository.delete("nosuchsnapshot");
        assertThat(repository.get("nosuchsnapshot")).isEmpty();
    }

    @Test
    void aDeletedNameCanBeUsedAgain() {
        create("snap1", List.of(day1));
        repository.delete("snap1");
        SnapshotInfo again = create("snap1", List.of(day3));
        assertThat(again.indices()).containsExactly(day3);
    }

    @Test
    void progressIsReportedBetweenZeroAndOne() {
        List<Double> ofCreate = new ArrayList<>();
        created.add("snap1");
        repository.create("snap1", List.of(day1, day2), (f, m) -> ofCreate.add(f));
        List<Double> ofRestore = new ArrayList<>();
        repository.restore("snap1", List.of(), RESTORE, (f, m) -> ofRestore.add(f));
        assertProgress("create", ofCreate);
        assertProgress("restore", ofRestore);
    }

    /** At least one report, every one within [0, 1], never going back, the last one 1. */
    private static void assertProgress(String operation, List<Double> fractions) {
        assertThat(fractions).as("progress reported by " + operation).isNotEmpty()
                .allSatisfy(f -> assertThat(f).isBetween(0.0, 1.0));
        assertThat(fractions).as("progress of " + operation + " never goes back").isSorted();
        assertThat(fractions.get(fractions.size() - 1)).as("last progress of " + operation).isEqualTo(1.0);
    }

    private Map<String, Map<String, Object>> sourcesOfDay(String index) {
        return searchAll().hits().stream().filter(h -> h.index().equals(index))
                .collect(Collectors.toMap(SearchResult.Hit::id, SearchResult.Hit::source));
    }
}
