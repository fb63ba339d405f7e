package io.bklog.core.ops;

import io.bklog.spi.BackendConfig;
import io.bklog.spi.BlobStore;
import io.bklog.spi.BlobStoreProvider;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Opens a {@link BlobStore} by kind: {@code dir} (a local directory, built in) or a {@link BlobStoreProvider} found
 * on the classpath by name ({@code s3} in {@code bklog-s3}). An unknown kind fails naming the kinds found.
 */
public final class BlobStores {
    /** The built-in kind: a local directory, setting {@code path}. */
    public static final String DIR = "dir";

    private BlobStores() {}

    /** The kinds available: {@code dir} and every provider on the classpath. */
    public static List<String> kinds() {
        TreeSet<String> names = new TreeSet<>(List.of(DIR));
        ServiceLoader.load(BlobStoreProvider.class).forEach(p -> names.add(p.name()));
        return List.copyOf(names);
    }

    /**
     * Opens a store of {@code kind} with its settings ({@code dir}: {@code path}, relative to {@code dataDir}).
     * Throws {@link IllegalArgumentException} naming an unknown kind or a bad setting.
     */
    public static BlobStore open(String kind, Map<String, String> settings, Path dataDir) {
        if (DIR.equals(kind)) {
            BackendConfig c = BackendConfig.of(settings, dataDir);
            c.refuseUnknownKeys(DIR, List.of("path"));
            Path p = Path.of(c.require("path"));
            return new DirectoryBlobStore(dataDir == null ? p : dataDir.resolve(p));
        }
        for (BlobStoreProvider p : ServiceLoader.load(BlobStoreProvider.class)) {
            if (p.name().equals(kind)) return p.create(BackendConfig.of(settings, dataDir));
        }
        throw new IllegalArgumentException("no blob store named '" + kind + "' on the classpath; found " + kinds());
    }

    /**
     * Opens a store from a URL: {@code s3://bucket/prefix} (scheme = kind, host = {@code bucket}, path =
     * {@code prefix}) or {@code file:///path}, with more settings (endpoint, credentials) from {@code settings}.
     */
    public static BlobStore open(URI url, Map<String, String> settings, Path dataDir) {
        String scheme = url.getScheme() == null ? "" : url.getScheme();
        Map<String, String> s = new LinkedHashMap<>(settings);
        if (scheme.equals("file")) {
            s.keySet().retainAll(List.of());
            s.put("path", Path.of(url).toString());
            return open(DIR, s, dataDir);
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new IllegalArgumentException("backup URL '" + url + "' names no bucket; expected e.g. "
                    + "s3://bucket/prefix");
        }
        s.put("bucket", url.getHost());
        String path = url.getPath() == null ? "" : url.getPath().replaceAll("^/+", "");
        if (!path.isEmpty()) s.put("prefix", path);
        return open(scheme, s, dataDir);
    }
}
