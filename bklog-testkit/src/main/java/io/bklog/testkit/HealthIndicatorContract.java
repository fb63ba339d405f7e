package io.bklog.testkit;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The compatibility kit of {@link HealthIndicator}, as {@code /healthz} relies on it: the namespace is one of bklog's
 * ({@value #NAMESPACES_TEXT}); a check answers at least one metric, each with a name; against a working dependency
 * every metric passes; against a failing one (stopped, unreachable, refusing) at least one metric fails, every
 * failed metric says what is wrong ({@code message}) and what to do ({@code suggestion}), and no exception escapes
 * {@link HealthIndicator#check()}. A backend's test extends this class with the two indicators.
 */
public abstract class HealthIndicatorContract {

    static final String NAMESPACES_TEXT = "mysql, redis, kafka, elasticsearch, scheduler, service";
    /** The namespaces of bklog's healthz. */
    protected static final Set<String> NAMESPACES = Set.of("mysql", "redis", "kafka", "elasticsearch", "scheduler",
            "service");

    /** The namespace the indicator reports under. */
    protected abstract String expectedNamespace();

    /** An indicator watching a working dependency. */
    protected abstract HealthIndicator healthyIndicator() throws Exception;

    /** An indicator whose dependency fails: stopped, unreachable (a closed port) or refusing. */
    protected abstract HealthIndicator failingIndicator() throws Exception;

    @Test
    void namespaceIsOneOfBklogs() throws Exception {
        assertThat(healthyIndicator().namespace()).isEqualTo(expectedNamespace()).isIn(NAMESPACES);
        assertThat(failingIndicator().namespace()).isEqualTo(expectedNamespace());
    }

    @Test
    void aWorkingDependencyPassesEveryMetric() throws Exception {
        List<HealthzMetric> metrics = healthyIndicator().check();
        assertThat(metrics).isNotEmpty().allSatisfy(m -> {
            assertThat(m.metricName()).isNotBlank();
            assertThat(m.status()).as("%s: %s", m.metricName(), m.message()).isTrue();
        });
    }

    @Test
    void aFailingDependencyFailsAMetricWithAMessageAndASuggestionAndThrowsNothing() throws Exception {
        HealthIndicator failing = failingIndicator();
        List<HealthzMetric>[] answer = new List[1];
        assertThatCode(() -> answer[0] = failing.check()).as("check() of a failing dependency")
                .doesNotThrowAnyException();
        List<HealthzMetric> metrics = answer[0];
        assertThat(metrics).isNotEmpty().allSatisfy(m -> assertThat(m.metricName()).isNotBlank());
        assertThat(metrics).as("metrics of a failing dependency").anyMatch(m -> !m.status());
        assertThat(metrics).filteredOn(m -> !m.status()).allSatisfy(m -> {
            assertThat(m.message()).as("message of failed %s", m.metricName()).isNotBlank();
            assertThat(m.suggestion()).as("suggestion of failed %s", m.metricName()).isNotBlank();
        });
    }
}
