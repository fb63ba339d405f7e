package io.bklog.core.collect;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What host resources collectors may reach (issue 14): file collector paths must fall under
 * {@code allowedPaths} (globs or directories) and never under a {@code forbidden} directory (the data dir with the
 * admin token and metadata, the config file's directory), whatever the allow-list says; syslog collectors may only
 * listen on {@code allowedPorts}.
 *
 * <p>Paths are checked twice: a glob when a collector is saved or started ({@link #checkGlob}: its fixed prefix,
 * lexically and with symlinks resolved as far as it exists), and every concrete file before it is opened
 * ({@link #checkFile}: its real path, so a symlink under an allowed root pointing elsewhere is not read).
 *
 * <p>Immutable and thread-safe. The library default ({@link #unconfined}) allows any path and port but still
 * refuses the forbidden directories; the server builds one from {@code collectors.*} (default {@code /var/log/**},
 * ports {@code 514,1024-65535}).
 */
public final class CollectorConfinement {
    /** The server's default {@code collectors.file.allowed_paths}. */
    public static final List<String> DEFAULT_ALLOWED_PATHS = List.of("/var/log/**");
    /** The server's default {@code collectors.syslog.allowed_ports}. */
    public static final String DEFAULT_ALLOWED_PORTS = "514,1024-65535";

    private record Allowed(String entry, List<PathMatcher> matchers, List<Path> bases) {}

    /** null = any path */
    private final List<Allowed> allowed;
    private final List<String> allowedText;
    /** lexical and real forms of each forbidden directory */
    private final Map<Path, List<Path>> forbidden;
    /** null = any port; else [from, to] ranges */
    private final List<int[]> ports;
    private final String portsText;

    private CollectorConfinement(List<String> allowedPaths, List<Path> forbiddenDirs, String allowedPorts) {
        if (allowedPaths == null) {
            this.allowed = null;
            this.allowedText = null;
        } else {
            List<Allowed> a = new ArrayList<>();
            for (String e : allowedPaths) {
                if (e == null || e.isBlank()) continue;
                a.add(allowedEntry(e.strip()));
            }
            this.allowed = List.copyOf(a);
            this.allowedText = a.stream().map(Allowed::entry).toList();
        }
        Map<Path, List<Path>> f = new LinkedHashMap<>();
        for (Path d : forbiddenDirs) {
            if (d == null) continue;
            Path abs = d.toAbsolutePath().normalize();
            List<Path> forms = new ArrayList<>(List.of(abs));
            Path real = realOf(abs);
            if (!real.equals(abs)) forms.add(real);
            f.put(abs, List.copyOf(forms));
        }
        this.forbidden = f;
        this.portsText = allowedPorts;
        this.ports = allowedPorts == null ? null : parsePorts(allowedPorts);
    }

    /**
     * @param allowedPaths globs or directories file collectors may read (a directory {@code d} means {@code d/**});
     *                     null = any path
     * @param forbidden    directories never read, whatever {@code allowedPaths} says (data dir, config dir)
     * @param allowedPorts ports and ranges syslog collectors may listen on, e.g. {@code 514,1024-65535}; null = any
     * @throws IllegalArgumentException naming a bad entry
     */
    public static CollectorConfinement of(List<String> allowedPaths, List<Path> forbidden, String allowedPorts) {
        return new CollectorConfinement(allowedPaths, forbidden == null ? List.of() : forbidden, allowedPorts);
    }

    /** Any path and port, except under the {@code forbidden} directories (the library default). */
    public static CollectorConfinement unconfined(List<Path> forbidden) {
        return of(null, forbidden, null);
    }

    /** The allowed path entries, or empty when any path is allowed. */
    public Optional<List<String>> allowedPaths() {
        return Optional.ofNullable(allowedText);
    }

    /** The forbidden directories. */
    public List<Path> forbiddenDirs() {
        return List.copyOf(forbidden.keySet());
    }

    // ---------------------------------------------------------------- paths

    /**
     * Refuses a glob ({@code paths[i]} of a file collector) that could reach outside the allowed roots: a {@code ..}
     * part, a fixed prefix (the directories before the first wildcard, or the whole path) inside a forbidden
     * directory or outside every allowed entry, lexically or with symlinks resolved.
     *
     * @param where the request field, e.g. {@code source_params.paths[0]}
     * @throws BklogException {@link ErrorCode#COLLECTOR_PATH_NOT_ALLOWED} naming the path and the rule
     */
    public void checkGlob(String glob, String where) {
        Path p;
        try {
            p = Path.of(glob);
        } catch (InvalidPathException e) {
            return; // validation reports it as invalid_collector_config
        }
        if (!p.isAbsolute()) return; // idem
        for (Path part : p) {
            if (part.toString().equals("..")) {
                throw refused(glob, where, "no '..' in collector paths", "'" + glob + "' climbs out of its"
                        + " directory with '..'; write the real directory");
            }
        }
        boolean wild = hasWildcard(glob);
        Path prefix = fixedPrefix(p).normalize();
        Path realPrefix = realOf(prefix);
        for (Map.Entry<Path, List<Path>> f : forbidden.entrySet()) {
            for (Path form : f.getValue()) {
                if (prefix.startsWith(form) || realPrefix.startsWith(form)) {
                    throw refused(glob, where, "never under " + f.getKey(), "'" + glob + "' is under " + f.getKey()
                            + " (bklog's data or config directory), which collectors never read");
                }
            }
        }
        if (allowed == null) return;
        for (Allowed a : allowed) {
            boolean lexical = a.bases().stream().anyMatch(prefix::startsWith);
            boolean real = a.bases().stream().anyMatch(realPrefix::startsWith);
            if (!lexical || !real) continue;
            if (wild || a.matchers().stream().anyMatch(m -> m.matches(prefix) || m.matches(realPrefix))) return;
        }
        throw refused(glob, where, "collectors.file.allowed_paths " + allowedText, "'" + glob + "' is outside"
                + " collectors.file.allowed_paths " + allowedText + (realPrefix.equals(prefix) ? ""
                : " (it resolves to " + realPrefix + ")"));
    }

    /**
     * Why a concrete file may not be read (its real path, symlinks resolved, is in a forbidden directory or matches
     * no allowed entry), or empty when it may. A file that cannot be resolved is refused.
     */
    public Optional<String> checkFile(Path file) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            return Optional.of("cannot resolve " + file + ": " + e.getMessage());
        }
        for (Map.Entry<Path, List<Path>> f : forbidden.entrySet()) {
            for (Path form : f.getValue()) {
                if (real.startsWith(form)) {
                    return Optional.of(file + " resolves to " + real + ", under " + f.getKey()
                            + " (bklog's data or config directory)");
                }
            }
        }
        if (allowed == null) return Optional.empty();
        for (Allowed a : allowed) {
            for (PathMatcher m : a.matchers()) if (m.matches(real)) return Optional.empty();
        }
        return Optional.of(file + (real.equals(file.toAbsolutePath().normalize()) ? "" : " resolves to " + real
                + ", which is") + " outside collectors.file.allowed_paths " + allowedText);
    }

    private static BklogException refused(String path, String where, String rule, String message) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("path", path);
        details.put("rule", rule);
        return new BklogException(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED, message + "; rule: " + rule, where, details,
                null);
    }

    private static Allowed allowedEntry(String entry) {
        String glob = hasWildcard(entry) ? entry : entry.replaceAll("/+$", "") + "/**";
        Path p;
        try {
            p = Path.of(glob);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("collectors.file.allowed_paths: '" + entry + "' is not a valid path: "
                    + e.getReason());
        }
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("collectors.file.allowed_paths: '" + entry + "' must be absolute");
        }
        for (Path part : p) {
            if (part.toString().equals("..")) {
                throw new IllegalArgumentException("collectors.file.allowed_paths: '" + entry + "' may not hold '..'");
            }
        }
        Path base = fixedPrefix(p);
        // a glob naming one file: its directory is the base
        if (!hasWildcard(glob) && base.getParent() != null) base = base.getParent();
        Path realBase = realOf(base);
        List<PathMatcher> matchers = new ArrayList<>();
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        List<Path> bases = new ArrayList<>(List.of(base));
        if (!realBase.equals(base)) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + realBase
                    + glob.substring(base.toString().length())));
            bases.add(realBase);
        }
        return new Allowed(entry, List.copyOf(matchers), List.copyOf(bases));
    }

    static boolean hasWildcard(String s) {
        return s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{");
    }

    /** The directories of {@code p} before its first part with a wildcard; {@code p} itself when it has none. */
    static Path fixedPrefix(Path p) {
        Path base = p.getRoot();
        for (Path part : p) {
            if (hasWildcard(part.toString())) return base;
            base = base == null ? part : base.resolve(part);
        }
        return base;
    }

    /** {@code p} with symlinks resolved as far as it exists (the missing rest appended as it is). */
    static Path realOf(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null) {
            try {
                Path real = existing.toRealPath();
                return real.resolve(existing.relativize(abs)).normalize();
            } catch (IOException e) {
                existing = existing.getParent();
            }
        }
        return abs;
    }

    // ---------------------------------------------------------------- ports

    /**
     * Refuses a syslog port outside {@code allowedPorts}. Port 0 (a free port picked by the system) is allowed when
     * every port of 1024-65535 is.
     *
     * @throws BklogException {@link ErrorCode#COLLECTOR_PORT_NOT_ALLOWED} naming the port and the rule
     */
    public void checkPort(int port, String where) {
        if (ports == null) return;
        boolean ok = port == 0 ? covers(1024, 65535) : ports.stream().anyMatch(r -> r[0] <= port && port <= r[1]);
        if (ok) return;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("port", port);
        details.put("rule", "collectors.syslog.allowed_ports " + portsText);
        throw new BklogException(ErrorCode.COLLECTOR_PORT_NOT_ALLOWED, "port " + port + " is outside"
                + " collectors.syslog.allowed_ports " + portsText + (port == 0 ? " (port 0 needs all of 1024-65535)"
                : "") + "; rule: collectors.syslog.allowed_ports " + portsText, where, details, null);
    }

    private boolean covers(int from, int to) {
        int next = from;
        List<int[]> sorted = new ArrayList<>(ports);
        sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int[] r : sorted) {
            if (r[0] <= next && r[1] >= next) next = r[1] + 1;
            if (next > to) return true;
        }
        return false;
    }

    /** {@code 514,1024-65535} → ranges; refuses bad entries naming them. */
    static List<int[]> parsePorts(String text) {
        List<int[]> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String s = part.strip();
            if (s.isEmpty()) continue;
            try {
                int dash = s.indexOf('-');
                int from = Integer.parseInt((dash < 0 ? s : s.substring(0, dash)).strip());
                int to = dash < 0 ? from : Integer.parseInt(s.substring(dash + 1).strip());
                if (from < 1 || to > 65535 || from > to) throw new NumberFormatException();
                out.add(new int[] {from, to});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("collectors.syslog.allowed_ports: '" + s + "' is not a port"
                        + " (1..65535) or a range like 1024-65535");
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "CollectorConfinement{allowed_paths=" + (allowedText == null ? "any" : allowedText) + ", forbidden="
                + forbidden.keySet() + ", allowed_ports=" + Objects.requireNonNullElse(portsText, "any") + "}";
    }
}
