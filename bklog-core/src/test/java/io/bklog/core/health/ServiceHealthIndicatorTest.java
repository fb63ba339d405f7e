package io.bklog.core.health;

import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceHealthIndicatorTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    private static MemoryUsage heap(long used, long max) {
        return new MemoryUsage(0, used, max, max);
    }

    private HealthzMetric metric(ServiceHealthIndicator indicator, String name) {
        return indicator.check().stream().filter(m -> m.metricName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void reportsDiskHeapAndGaugesUnderNamespaceService() {
        ServiceHealthIndicator i = ServiceHealthIndicator.builder().dataDir(dir)
                .gauge(ServiceGauge.ingestQueueFill(() -> 0.1)).gauge(ServiceGauge.deadLetters(() -> 0, 0)).build();
        List<HealthzMetric> metrics = i.check();
        assertThat(i.namespace()).isEqualTo("service");
        assertThat(metrics).extracting(HealthzMetric::metricName)
                .containsExactly("disk_free_bytes", "jvm_heap_used_ratio", "ingest_queue_fill_ratio", "dead_letters");
        assertThat(metrics.get(0).dimensions()).containsEntry("path", dir.toString());
        assertThat((Long) metrics.get(0).metricValue()).isPositive();
    }

    @Test
    void failsUnderOneGibFree() {
        ServiceHealthIndicator i = ServiceHealthIndicator.builder().dataDir(dir)
                .diskProbe(p -> new ServiceHealthIndicator.DiskUsage(512L << 20, 16 * GIB)).build();
        HealthzMetric m = metric(i, "disk_free_bytes");
        assertThat(m.status()).isFalse();
        assertThat(m.message()).isEqualTo("data dir " + dir + " has 512.0 MiB free (3.1% of 16.0 GiB), under the "
                + "minimum of 1.0 GiB or 5.0%");
        assertThat(m.suggestion()).contains("retention").contains("larger volume");
    }

    @Test
    void failsUnderFivePercentFreeEvenWithManyGib() {
        ServiceHealthIndicator i = ServiceHealthIndicator.builder().dataDir(dir)
                .diskProbe(p -> new ServiceHealthIndicator.DiskUsage(40 * GIB, 1000 * GIB)).build();
        assertThat(metric(i, "disk_free_bytes").status()).isFalse();
    }

    @Test
    void passesWithEnoughSpaceAndLimitsCanBeDisabled() {
        ServiceHealthIndicator.Builder b = ServiceHealthIndicator.builder().dataDir(dir)
                .diskProbe(p -> new ServiceHealthIndicator.DiskUsage(40 * GIB, 100 * GIB));
        assertThat(metric(b.build(), "disk_free_bytes").status()).isTrue();
        b.diskProbe(p -> new ServiceHealthIndicator.DiskUsage(GIB / 2, 100 * GIB)).minFreeBytes(0).minFreeRatio(0);
        assertThat(metric(b.build(), "disk_free_bytes").status()).isTrue();
    }

    @Test
    void missingDataDirFails() {
        HealthzMetric m = metric(ServiceHealthIndicator.builder().dataDir(dir.resolve("nope")).build(), "disk_free_bytes");
        assertThat(m.status()).isFalse();
        assertThat(m.message()).endsWith("does not exist or is not a directory");
    }

    @Test
    void heapOverNinetyFivePercentFails() {
        HealthzMetric m = metric(ServiceHealthIndicator.builder().heapUsage(() -> heap(97 * (GIB / 50), 2 * GIB)).build(),
                "jvm_heap_used_ratio");
        assertThat(m.status()).isFalse();
        assertThat(m.metricValue()).isEqualTo(0.97);
        assertThat(m.message()).isEqualTo("JVM heap is 97.0% used (1.9 GiB of 2.0 GiB), above 95.0%");
        assertThat(m.suggestion()).contains("-Xmx");
        assertThat(metric(ServiceHealthIndicator.builder().heapUsage(() -> heap(GIB, 2 * GIB)).build(),
                "jvm_heap_used_ratio").status()).isTrue();
    }

    @Test
    void gaugesFailAboveTheirLimit() {
        ServiceHealthIndicator i = ServiceHealthIndicator.builder()
                .gauge(ServiceGauge.ingestQueueFill(() -> 0.95)).gauge(ServiceGauge.deadLetters(() -> 12, 10)).build();
        HealthzMetric fill = metric(i, "ingest_queue_fill_ratio");
        assertThat(fill.status()).isFalse();
        assertThat(fill.message()).isEqualTo("ingest queue fill ratio is 0.950, above the limit 0.900");
        assertThat(fill.suggestion()).contains("Kafka");
        HealthzMetric dead = metric(i, "dead_letters");
        assertThat(dead.message()).isEqualTo("dead letter count is 12, above the limit 10");
        assertThat(dead.suggestion()).contains("replay");
    }

    @Test
    void brokenGaugeFailsItsMetricOnly() {
        ServiceHealthIndicator i = ServiceHealthIndicator.builder().gauge(new ServiceGauge("x", () -> {
            throw new IllegalStateException("queue closed");
        }, 1, "x value", "")).build();
        HealthzMetric m = metric(i, "x");
        assertThat(m.status()).isFalse();
        assertThat(m.message()).isEqualTo("cannot read x value: java.lang.IllegalStateException: queue closed");
        assertThat(metric(i, "jvm_heap_used_ratio").status()).isTrue();
    }

    @Test
    void invalidThresholdsAreRefused() {
        assertThatThrownBy(() -> ServiceHealthIndicator.builder().minFreeRatio(1.5))
                .hasMessage("minFreeRatio must be in [0, 1), got 1.5");
        assertThatThrownBy(() -> ServiceHealthIndicator.builder().maxHeapUsedRatio(0))
                .hasMessage("maxHeapUsedRatio must be in (0, 1], got 0.0");
    }
}
