package io.bklog.core.meta;

import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code mysql} namespace with {@code replicaJdbcUrl} set, the primary being the shared MariaDB at
 * 127.0.0.1:3306: a replica nobody listens for, and a "replica" that replicates nothing and accepts writes (the
 * shared server itself under another name) each fail the namespace naming the replica, with a suggestion, while the
 * primary's own metrics stay green. A real failover is {@code MetadataFailoverIT} (bklog-server).
 */
class MetadataReplicaHealthIT {
    private static final String DATABASE = "bklog_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private MetadataStore store;

    /** One migrated database for both tests (the migrations are most of the time). */
    @BeforeAll
    static void migrate() {
        MariaDbMetadataStoreIT.execute("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        try (MetadataStore s = MetadataStore.open(MetadataConfig.builder().jdbcUrl(MariaDbMetadataStoreIT.SERVER
                + DATABASE).user("root").password("").maxPoolSize(2).build(), Clock.systemUTC())) {
            s.migrate();
        }
    }

    @AfterAll
    static void drop() {
        MariaDbMetadataStoreIT.execute("DROP DATABASE IF EXISTS " + DATABASE);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    private List<HealthzMetric> check(String replicaUrl) {
        store = MetadataStore.open(MetadataConfig.builder().jdbcUrl(MariaDbMetadataStoreIT.SERVER + DATABASE)
                .user("root").password("").maxPoolSize(2).replicaJdbcUrl(replicaUrl).build(), Clock.systemUTC());
        return new MetadataHealthIndicator(store).check();
    }

    private static HealthzMetric metric(List<HealthzMetric> metrics, String name) {
        return metrics.stream().filter(m -> m.metricName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + metrics));
    }

    @Test
    void anUnreachableReplicaFailsTheNamespaceNamingIt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<HealthzMetric> metrics = check("jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE);
        assertThat(metric(metrics, "ping").status()).as(metrics.toString()).isTrue();
        assertThat(metric(metrics, "ping").dimensions()).containsEntry("primary", "127.0.0.1:3306");
        HealthzMetric replica = metric(metrics, "replica_io_running");
        assertThat(replica.status()).isFalse();
        assertThat(replica.message()).contains("metadata replica 127.0.0.1:" + port + " is unreachable");
        assertThat(replica.suggestion()).contains("start the replica 127.0.0.1:" + port);
        assertThat(metric(metrics, "replication_mode").metricValue()).isIn("async", "semi-sync");
    }

    @Test
    void aReplicaThatReplicatesNothingAndAcceptsWritesFails() {
        List<HealthzMetric> metrics = check(MariaDbMetadataStoreIT.SERVER + DATABASE + "?connectTimeout=900");
        HealthzMetric io = metric(metrics, "replica_io_running");
        assertThat(io.status()).isFalse();
        assertThat(io.message()).contains("127.0.0.1:3306 replicates from no primary");
        assertThat(io.suggestion()).contains("set up replication");
        HealthzMetric readOnly = metric(metrics, "replica_read_only");
        assertThat(readOnly.status()).isFalse();
        assertThat(readOnly.suggestion()).contains("SET GLOBAL read_only = ON");
    }
}
