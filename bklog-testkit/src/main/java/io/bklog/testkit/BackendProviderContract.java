package io.bklog.testkit;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The compatibility kit of {@link BackendProvider}: what the platform relies on when it builds a backend by name
 * from config. A backend's test extends this class with its provider, settings that work (against the real
 * dependency where the backend needs one) and settings that must be refused:
 * <ul>
 *   <li>the provider is found by its {@link BackendProvider#name()} through {@link ServiceLoader};</li>
 *   <li>a bad value is refused with an {@link IllegalArgumentException} whose message names the setting's key;</li>
 *   <li>an unknown key is refused the same way, naming it (a typo never passes silently);</li>
 *   <li>{@link Backend#close()} releases everything the backend opened: every thread it started ends, and the
 *       process holds no more file descriptors (files, sockets) than before it was created.</li>
 * </ul>
 * The release check runs a first create/use/close cycle to warm up what the JVM keeps for good (jar files opened
 * by class loading, JDK-wide threads), then compares threads and file descriptors around a second cycle. File
 * descriptors are counted from {@code /proc/self/fd} where it exists (Linux); elsewhere only threads are checked.
 */
public abstract class BackendProviderContract {

    @TempDir
    protected Path dataDir;

    /** The provider under test, built directly (not through ServiceLoader). */
    protected abstract BackendProvider provider();

    /** Settings with which {@link BackendProvider#create} succeeds (pointing at the real dependency, if any). */
    protected abstract Map<String, String> validSettings(Path dataDir);

    /** Keys with a value the provider must refuse, each on top of {@link #validSettings}. */
    protected abstract Map<String, String> badSettings();

    /** Uses a created backend a little (a request to its dependency), so that close has something to release. */
    protected void exercise(Backend backend) {
        backend.logStore().ifPresent(s -> s.indexSets());
        backend.taskBroker().ifPresent(b -> b.queueLength("contract-probe"));
        backend.healthIndicators().forEach(h -> h.check());
    }

    /** How long closed resources may take to go away (a thread finishing its last loop); default 10 s. */
    protected Duration releaseTimeout() {
        return Duration.ofSeconds(10);
    }

    private BackendConfig config(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(validSettings(dataDir));
        settings.putAll(overrides);
        return BackendConfig.of(settings, dataDir);
    }

    @Test
    void isFoundByNameThroughServiceLoader() {
        String name = provider().name();
        assertThat(name).isNotBlank();
        List<BackendProvider> found = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(name)).toList();
        assertThat(found).as("providers named '%s' on the classpath", name).hasSize(1);
        assertThat(found.get(0)).isExactlyInstanceOf(provider().getClass());
    }

    @Test
    void createsABackendNamedAfterTheProvider() {
        try (Backend backend = provider().create(config(Map.of()))) {
            assertThat(backend.name()).startsWith(provider().name());
            exercise(backend);
        }
    }

    @Test
    void aBadValueIsRefusedNamingItsKey() {
        assertThat(badSettings()).as("bad settings to try").isNotEmpty();
        badSettings().forEach((key, value) -> assertThatThrownBy(() -> {
            try (Backend ignored = provider().create(config(Map.of(key, value)))) {
                // created: the assertion below fails
            }
        }).as("%s = '%s'", key, value).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key));
    }

    @Test
    void anUnknownKeyIsRefusedNamingIt() {
        String typo = "no_such.setting";
        assertThatThrownBy(() -> {
            try (Backend ignored = provider().create(config(Map.of(typo, "1")))) {
                // created: the assertion below fails
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(typo);
    }

    @Test
    void closeReleasesThreadsAndFileDescriptors() {
        cycle(); // warm up: class loading opens jars for good, some libraries start JVM-wide threads once
        Set<Thread> threadsBefore = liveThreads();
        long fdsBefore = openFileDescriptors();
        cycle();
        await().atMost(releaseTimeout()).untilAsserted(() -> {
            Set<String> left = liveThreads().stream().filter(t -> !threadsBefore.contains(t))
                    .map(Thread::getName).collect(Collectors.toCollection(java.util.TreeSet::new));
            assertThat(left).as("threads started by the backend and still alive after close").isEmpty();
            if (fdsBefore >= 0) {
                assertThat(openFileDescriptors()).as("open file descriptors (files, sockets) after close")
                        .isLessThanOrEqualTo(fdsBefore);
            }
        });
    }

    private void cycle() {
        Backend backend = provider().create(config(Map.of()));
        try {
            exercise(backend);
        } finally {
            backend.close();
        }
    }

    /** JVM-wide threads no backend owns: the JDK's shared pools and the test's own (Awaitility's poller). */
    private static final List<String> SHARED_THREADS = List.of("awaitility", "ForkJoinPool.commonPool",
            "process reaper", "Attach Listener", "Common-Cleaner", "surefire", "junit");

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> SHARED_THREADS.stream().noneMatch(t.getName()::startsWith))
                .collect(Collectors.toSet());
    }

    /** Open file descriptors of this process, or -1 where {@code /proc/self/fd} does not exist. */
    private static long openFileDescriptors() {
        Path fd = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fd)) return -1;
        try (Stream<Path> s = Files.list(fd)) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
