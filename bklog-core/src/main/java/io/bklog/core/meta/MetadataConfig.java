package io.bklog.core.meta;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the metadata lives and how many connections to keep.
 *
 * <p>Two kinds of database are supported, with the same migrations and the same SQL:
 * <ul>
 *   <li>embedded H2 in a file under the data dir ({@link #embedded(Path)}), the default of
 *       {@code LogPlatform.builder().build()};</li>
 *   <li>MariaDB / MySQL for production, {@code jdbc:mariadb://host:3306/bklog} (the MariaDB driver also talks to
 *       MySQL servers).</li>
 * </ul>
 *
 * @param jdbcUrl           JDBC URL, {@code jdbc:h2:...} or {@code jdbc:mariadb://...}; required
 * @param user              database user; default {@code ""}
 * @param password          database password; default {@code ""}; never printed by {@link #toString()}
 * @param maxPoolSize       most connections the pool opens; default 10
 * @param connectionTimeout how long to wait for a connection before failing; default 10 s
 * @param replicaJdbcUrl    JDBC URL of a MariaDB replica of {@code jdbcUrl} ({@code ""} = none). bklog never
 *                          reads nor writes through it: everything goes to the primary, {@code jdbcUrl}. The
 *                          {@code mysql} health namespace watches the replica's replication, and names it in the
 *                          suggestion when the primary is lost (promotion: docs/ha.md). Same user and password
 */
public record MetadataConfig(String jdbcUrl, String user, String password, int maxPoolSize,
                             Duration connectionTimeout, String replicaJdbcUrl) {

    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    /** H2 URL options: MySQL compatibility so the migrations run unchanged, lower-case names as on MariaDB. */
    static final String H2_OPTIONS =
            ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE"
                    + ";DB_CLOSE_ON_EXIT=FALSE";

    public MetadataConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("metadata jdbcUrl '" + jdbcUrl
                    + "' must be a JDBC URL such as jdbc:mariadb://host:3306/bklog or jdbc:h2:file:/data/meta/bklog");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("metadata maxPoolSize must be >= 1, got " + maxPoolSize);
        }
        connectionTimeout = connectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT : connectionTimeout;
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException(
                    "metadata connectionTimeout must be at least 250ms, got " + connectionTimeout);
        }
        replicaJdbcUrl = replicaJdbcUrl == null ? "" : replicaJdbcUrl.trim();
        if (!replicaJdbcUrl.isEmpty()) {
            if (!replicaJdbcUrl.startsWith("jdbc:mariadb:") && !replicaJdbcUrl.startsWith("jdbc:mysql:")) {
                throw new IllegalArgumentException("metadata replica url '" + replicaJdbcUrl
                        + "' must be a MariaDB/MySQL JDBC URL such as jdbc:mariadb://replica:3306/bklog");
            }
            if (jdbcUrl.startsWith("jdbc:h2:")) {
                throw new IllegalArgumentException("metadata replica url '" + replicaJdbcUrl
                        + "' needs a MariaDB/MySQL primary, but the metadata url is the embedded H2 " + jdbcUrl);
            }
            if (replicaJdbcUrl.equals(jdbcUrl)) {
                throw new IllegalArgumentException("metadata replica url is the same as the metadata url ("
                        + jdbcUrl + "); name the replica's own host and port");
            }
        }
    }

    /** Without a replica. */
    public MetadataConfig(String jdbcUrl, String user, String password, int maxPoolSize,
                          Duration connectionTimeout) {
        this(jdbcUrl, user, password, maxPoolSize, connectionTimeout, "");
    }

    /** True when a replica is configured ({@link #replicaJdbcUrl()} not empty). */
    public boolean hasReplica() {
        return !replicaJdbcUrl.isEmpty();
    }

    /**
     * The embedded default: an H2 database in {@code {dataDir}/meta/bklog.mv.db}, opened in MySQL mode. Only one
     * process may open it at a time.
     */
    public static MetadataConfig embedded(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path file = dataDir.toAbsolutePath().normalize().resolve("meta").resolve("bklog");
        return builder().jdbcUrl("jdbc:h2:file:" + file + H2_OPTIONS).user("sa").password("").maxPoolSize(4).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True for an H2 URL. */
    public boolean isH2() {
        return jdbcUrl.startsWith("jdbc:h2:");
    }

    @Override
    public String toString() {
        return "MetadataConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "****") + ", maxPoolSize=" + maxPoolSize + ", connectionTimeout="
                + connectionTimeout + (hasReplica() ? ", replicaJdbcUrl=" + replicaJdbcUrl : "") + "]";
    }

    /** Builder mirroring the record; YAML keys use the same names. */
    public static final class Builder {
        private String jdbcUrl;
        private String user = "";
        private String password = "";
        private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private String replicaJdbcUrl = "";

        private Builder() {
        }

        public Builder jdbcUrl(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder maxPoolSize(int maxPoolSize) {
            this.maxPoolSize = maxPoolSize;
            return this;
        }

        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
            return this;
        }

        /** A replica of the primary, watched by the health check only; blank = none. */
        public Builder replicaJdbcUrl(String replicaJdbcUrl) {
            this.replicaJdbcUrl = replicaJdbcUrl;
            return this;
        }

        public MetadataConfig build() {
            if (jdbcUrl == null || jdbcUrl.isBlank()) {
                throw new IllegalArgumentException("metadata jdbcUrl is required, e.g. jdbc:mariadb://host:3306/bklog"
                        + " or MetadataConfig.embedded(dataDir)");
            }
            return new MetadataConfig(jdbcUrl, user, password, maxPoolSize, connectionTimeout, replicaJdbcUrl);
        }
    }
}
