package io.bklog.core.ingest.source;

import io.bklog.spi.source.SourceLine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyslogFilterTest {

    private static SourceLine msg(String program, String severity) {
        return SourceLine.of("s", 0, "x", Instant.EPOCH).withExtra(Map.of("program", program, "severity_label", severity));
    }

    @Test
    void appliesBklogSyslogConditionsWithAndOrGroups() {
        SyslogFilter f = SyslogFilter.fromBklog(List.of(
                Map.of("syslog_field", "program", "syslog_content", "sshd", "syslog_op", "eq"),
                Map.of("syslog_field", "severity_label", "syslog_content", "err"),
                Map.of("syslog_field", "program", "syslog_content", "^kern", "syslog_op", "regex", "syslog_logic_op", "or")));
        assertThat(f.test(msg("sshd", "err"))).isTrue();
        assertThat(f.test(msg("sshd", "info"))).isFalse();
        assertThat(f.test(msg("kernel", "info"))).isTrue();
        assertThat(SyslogFilter.NONE.test(msg("a", "b"))).isTrue();
        assertThatThrownBy(() -> SyslogFilter.fromBklog(List.of(Map.of("syslog_field", "nope", "syslog_content", "x"))))
                .hasMessageContaining("syslog_conditions[0].syslog_field");
    }
}
