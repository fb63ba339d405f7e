package io.bklog.server.config;

/**
 * The metadata database.
 *
 * @param url            JDBC URL, e.g. {@code jdbc:mariadb://127.0.0.1:3306/bklog}; blank = embedded H2 under
 *                       {@code data_dir/meta}
 * @param user           database user
 * @param password       database password
 * @param migrateOnStart migrate the schema at start; null = yes for embedded H2, no for a configured database
 *                       (run {@code bklog migrate} as an upgrade step)
 * @param replicaUrl     JDBC URL of a MariaDB replica of {@code url}, watched by the {@code mysql} health namespace
 *                       and named in its suggestions; never read nor written by bklog (docs/ha.md); blank = none
 */
public record MetadataSettings(String url, String user, String password, Boolean migrateOnStart, String replicaUrl) {
    public MetadataSettings {
        url = url == null ? "" : url.trim();
        user = user == null ? "" : user;
        password = password == null ? "" : password;
        replicaUrl = replicaUrl == null ? "" : replicaUrl.trim();
    }

    /** Without a replica. */
    public MetadataSettings(String url, String user, String password, Boolean migrateOnStart) {
        this(url, user, password, migrateOnStart, "");
    }

    public static MetadataSettings defaults() {
        return new MetadataSettings("", "", "", null, "");
    }

    @Override
    public String toString() {
        return "MetadataSettings[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "****")
                + ", migrateOnStart=" + migrateOnStart + (replicaUrl.isEmpty() ? "" : ", replicaUrl=" + replicaUrl)
                + "]";
    }
}
