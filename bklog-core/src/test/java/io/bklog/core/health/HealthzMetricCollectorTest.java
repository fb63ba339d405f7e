package io.bklog.core.health;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class HealthzMetricCollectorTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<HealthzMetricCollector> collectors = new ArrayList<>();

    @AfterEach
    void releaseHangingChecks() {
        release.countDown();
        collectors.forEach(HealthzMetricCollector::close);
    }

    private static HealthIndicator fake(String namespace, Supplier<List<HealthzMetric>> check) {
        return new HealthIndicator() {
            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public List<HealthzMetric> check() {
                return check.get();
            }
        };
    }

    private static HealthIndicator ok(String namespace, String metric) {
        return fake(namespace, () -> List.of(HealthzMetric.ok(metric, 1)));
    }

    private HealthzMetricCollector collector(HealthzMetricCollector.Builder b) {
        HealthzMetricCollector c = b.build();
        collectors.add(c);
        return c;
    }

    /** Blocks until the test ends, ignoring interrupts: a check that hangs for ever. */
    private List<HealthzMetric> hangForever() {
        while (true) {
            try {
                release.await();
                return List.of();
            } catch (InterruptedException ignored) {
                // a truly stuck driver call does not react to interrupts either
            }
        }
    }

    @Test
    void allNamespacesPassingGiveSuccess() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator(ok("mysql", "ping")).indicator(ok("redis", "ping")));
        HealthReport r = c.collect();
        assertThat(r.status()).isTrue();
        assertThat(r.message()).isEqualTo("health check success");
        assertThat(r.data()).extracting(NamespaceData::namespace).containsExactly("mysql", "redis");
        assertThat(r.data()).allSatisfy(ns -> assertThat(ns.message()).isEqualTo("ok"));
        assertThat(c.lastReport()).contains(r);
    }

    @Test
    void failedNamespacesAreListedInTheMessage() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator(fake("mysql", () -> List.of(HealthzMetric.failed("ping", 0, "connection refused", "start it"))))
                .indicator(ok("kafka", "ping"))
                .indicator(fake("redis", () -> List.of(HealthzMetric.failed("ping", 0, "timeout", "")))));
        HealthReport r = c.collect();
        assertThat(r.status()).isFalse();
        assertThat(r.message()).isEqualTo("health check failed, please check these namespace: mysql,redis");
        assertThat(r.namespace("mysql").orElseThrow().message()).isEqualTo("ping: connection refused");
    }

    @Test
    void severalIndicatorsOfANamespaceAreMerged() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator(ok("es", "ping")).indicator(ok("es", "cluster_health")));
        assertThat(c.collect().namespace("es").orElseThrow().data()).extracting(HealthzMetric::metricName)
                .containsExactly("ping", "cluster_health");
        assertThat(c.namespaces()).containsExactly("es");
    }

    @Test
    void includeWinsOverExclude() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator(ok("mysql", "ping")).indicator(ok("redis", "ping")).indicator(ok("kafka", "ping")));
        assertThat(c.collect(Set.of("redis"), Set.of("redis")).data()).extracting(NamespaceData::namespace)
                .containsExactly("redis");
        assertThat(c.collect(Set.of(), Set.of("redis")).data()).extracting(NamespaceData::namespace)
                .containsExactly("mysql", "kafka");
        assertThat(c.collect(Set.of(" ", ""), Set.of()).data()).extracting(NamespaceData::namespace)
                .containsExactly("mysql", "redis", "kafka");
    }

    @Test
    void unknownIncludedNamespaceFails() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator(ok("mysql", "ping")).indicator(ok("redis", "ping")));
        HealthReport r = c.collect(Set.of("mysql", "rabbitmq"), Set.of());
        assertThat(r.status()).isFalse();
        assertThat(r.message()).isEqualTo("health check failed, please check these namespace: rabbitmq");
        NamespaceData unknown = r.namespace("rabbitmq").orElseThrow();
        assertThat(unknown.status()).isFalse();
        assertThat(unknown.message()).isEqualTo("unsupported namespace rabbitmq; known: mysql, redis");
    }

    @Test
    void throwingCheckBecomesAFailedMetricNamingTheIndicator() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator("RedisPing", fake("redis", () -> {
                    throw new IllegalStateException("NOAUTH Authentication required");
                }))
                .indicator(ok("mysql", "ping")));
        HealthReport r = c.collect();
        HealthzMetric m = r.namespace("redis").orElseThrow().data().get(0);
        assertThat(m.status()).isFalse();
        assertThat(m.metricName()).isEqualTo("RedisPing");
        assertThat(m.dimensions()).containsEntry("indicator", "RedisPing");
        assertThat(m.message()).isEqualTo("check failed: IllegalStateException: NOAUTH Authentication required");
        assertThat(m.suggestion()).contains("redis").contains("RedisPing");
        assertThat(r.namespace("mysql").orElseThrow().status()).isTrue();
    }

    @Test
    void hangingCheckTimesOutAndCollectReturnsWithinTheTimeout() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder()
                .indicator(fake("kafka", this::hangForever)).indicator(ok("mysql", "ping")));
        long start = System.nanoTime();
        HealthReport r = c.collect();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ms).isLessThan(3000).isGreaterThanOrEqualTo(1900);
        HealthzMetric m = r.namespace("kafka").orElseThrow().data().get(0);
        assertThat(m.status()).isFalse();
        assertThat(m.metricName()).isEqualTo("kafka#1");
        assertThat(m.message()).isEqualTo("check timed out after 2000 ms");
        assertThat(m.suggestion()).contains("kafka");
        assertThat(r.namespace("mysql").orElseThrow().status()).isTrue();
        assertThat(r.message()).isEqualTo("health check failed, please check these namespace: kafka");
    }

    @Test
    void checksRunInParallel() {
        CountDownLatch all = new CountDownLatch(3);
        Supplier<List<HealthzMetric>> meet = () -> {
            all.countDown();
            try {
                return List.of(HealthzMetric.ok("met", all.await(5, TimeUnit.SECONDS)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().timeout(Duration.ofSeconds(5))
                .indicator(fake("a", meet)).indicator(fake("b", meet)).indicator(fake("c", meet)));
        HealthReport r = c.collect();
        assertThat(r.status()).isTrue();
        assertThat(r.data()).allSatisfy(ns -> assertThat(ns.data().get(0).metricValue()).isEqualTo(true));
    }

    @Test
    void stillHangingCheckIsNotStartedAgain() {
        AtomicInteger calls = new AtomicInteger();
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().timeout(Duration.ofMillis(100))
                .indicator(fake("kafka", () -> {
                    calls.incrementAndGet();
                    return hangForever();
                })));
        c.collect();
        HealthzMetric again = c.collect().data().get(0).data().get(0);
        assertThat(again.status()).isFalse();
        assertThat(again.message()).startsWith("previous check is still running after").endsWith("not started again");
        assertThat(calls).hasValue(1);
    }

    @Test
    void concurrentCollectionsShareARunningCheck() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().timeout(Duration.ofSeconds(5))
                .indicator(fake("mysql", () -> {
                    calls.incrementAndGet();
                    entered.countDown();
                    try {
                        proceed.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return List.of(HealthzMetric.ok("ping", 1));
                })));
        java.util.concurrent.CompletableFuture<HealthReport> first =
                java.util.concurrent.CompletableFuture.supplyAsync(c::collect);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.atomic.AtomicReference<HealthReport> second = new java.util.concurrent.atomic.AtomicReference<>();
        Thread secondCaller = new Thread(() -> second.set(c.collect()), "second-collect");
        secondCaller.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> secondCaller.getState() == Thread.State.TIMED_WAITING);
        proceed.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).status()).isTrue();
        secondCaller.join(5000);
        assertThat(second.get().status()).isTrue();
        assertThat(calls).hasValue(1);
    }

    @Test
    void timedOutCheckIsInterruptedAndRunsAgainNextTime() {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().timeout(Duration.ofMillis(100))
                .indicator(fake("redis", () -> {
                    if (calls.incrementAndGet() > 1) return List.of(HealthzMetric.ok("ping", 1));
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    return List.of();
                })));
        assertThat(c.collect().status()).isFalse();
        await().atMost(Duration.ofSeconds(2)).untilTrue(interrupted);
        await().atMost(Duration.ofSeconds(2)).until(() -> c.collect().status());
    }

    @Test
    void checksRunOnNamedDaemonThreads() {
        List<Thread> seen = new ArrayList<>();
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().indicator(fake("x", () -> {
            synchronized (seen) {
                seen.add(Thread.currentThread());
            }
            return List.of(HealthzMetric.ok("t", 1));
        })));
        c.collect();
        assertThat(seen).singleElement().satisfies(t -> {
            assertThat(t.getName()).startsWith("bklog-health-");
            assertThat(t.isDaemon()).isTrue();
        });
    }

    @Test
    void busyThreadsAreReportedNotQueued() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().maxThreads(1)
                .timeout(Duration.ofMillis(100))
                .indicator(fake("a", this::hangForever)).indicator(ok("b", "ping")));
        HealthReport r = c.collect();
        assertThat(r.namespace("b").orElseThrow().data().get(0).message()).isEqualTo(
                "not started: all 1 health-check threads are busy");
    }

    @Test
    void closedCollectorRefusesToCollect() {
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().indicator(ok("a", "ping")));
        c.close();
        assertThatThrownBy(c::collect).isInstanceOf(IllegalStateException.class).hasMessage("health collector is closed");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> HealthzMetricCollector.builder().timeout(Duration.ZERO))
                .hasMessage("health check timeout must be positive, got PT0S");
        assertThatThrownBy(() -> HealthzMetricCollector.builder().indicator(fake(" ", List::of)).build())
                .hasMessageContaining("has a blank namespace");
    }

    @Test
    void metricsAreKeptAsReported() {
        HealthzMetric m = new HealthzMetric(true, "ping", 3, Map.of("cluster_name", "main"), "", "");
        HealthzMetricCollector c = collector(HealthzMetricCollector.builder().indicator(fake("es", () -> List.of(m))));
        assertThat(c.collect().data().get(0).data()).containsExactly(m);
    }
}
