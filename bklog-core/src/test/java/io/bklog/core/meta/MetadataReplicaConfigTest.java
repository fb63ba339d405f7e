package io.bklog.core.meta;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link MetadataConfig#replicaJdbcUrl()}: what is accepted, and the {@code host:port} the health check names. */
class MetadataReplicaConfigTest {

    private static MetadataConfig.Builder primary() {
        return MetadataConfig.builder().jdbcUrl("jdbc:mariadb://10.0.0.11:3306/bklog").user("bklog");
    }

    @Test
    void aReplicaIsOptionalAndNamedInToString() {
        assertThat(primary().build().hasReplica()).isFalse();
        MetadataConfig c = primary().replicaJdbcUrl(" jdbc:mariadb://10.0.0.12:3306/bklog ").build();
        assertThat(c.hasReplica()).isTrue();
        assertThat(c.replicaJdbcUrl()).isEqualTo("jdbc:mariadb://10.0.0.12:3306/bklog");
        assertThat(c.toString()).contains("replicaJdbcUrl=jdbc:mariadb://10.0.0.12:3306/bklog");
    }

    @Test
    void aReplicaMustBeAnotherMariaDbServer() {
        assertThatThrownBy(() -> primary().replicaJdbcUrl("jdbc:h2:mem:x").build())
                .hasMessageContaining("must be a MariaDB/MySQL JDBC URL");
        assertThatThrownBy(() -> primary().replicaJdbcUrl("jdbc:mariadb://10.0.0.11:3306/bklog").build())
                .hasMessageContaining("same as the metadata url");
        assertThatThrownBy(() -> MetadataConfig.builder().jdbcUrl("jdbc:h2:mem:meta")
                .replicaJdbcUrl("jdbc:mariadb://10.0.0.12:3306/bklog").build())
                .hasMessageContaining("needs a MariaDB/MySQL primary");
    }

    @Test
    void healthNamesSingleHostUrlsByHostAndPort() {
        assertThat(MetadataHealthIndicator.hostPort("jdbc:mariadb://10.0.0.11:3307/bklog?useSsl=true"))
                .contains("10.0.0.11:3307");
        assertThat(MetadataHealthIndicator.hostPort("jdbc:mariadb://db.example/bklog")).contains("db.example:3306");
        assertThat(MetadataHealthIndicator.hostPort("jdbc:mysql://[::1]:3306/bklog")).contains("[::1]:3306");
        assertThat(MetadataHealthIndicator.hostPort("jdbc:mariadb:sequential://a:3306,b:3306/bklog")).isEmpty();
        assertThat(MetadataHealthIndicator.hostPort("jdbc:mariadb://a:3306,b:3306/bklog")).isEmpty();
        assertThat(MetadataHealthIndicator.hostPort("jdbc:h2:file:/data/meta/bklog")).isEmpty();
        assertThat(MetadataHealthIndicator.hostPort("jdbc:mysql://bklog:secret@db:3306/bklog")).isEmpty();
    }

    @Test
    void healthNeverShowsTheOptionsOfAUrlWhichMayHoldCredentials() {
        assertThat(MetadataHealthIndicator.withoutQuery("jdbc:mariadb://db:3306/bklog?user=bklog&password=secret"))
                .isEqualTo("jdbc:mariadb://db:3306/bklog?...");
        assertThat(MetadataHealthIndicator.withoutQuery("jdbc:mariadb://db:3306/bklog"))
                .isEqualTo("jdbc:mariadb://db:3306/bklog");
    }
}
