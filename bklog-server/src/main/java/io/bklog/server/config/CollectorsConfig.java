package io.bklog.server.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.bklog.core.collect.CollectorConfinement;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What host resources collectors may use ({@code collectors.*}); see docs/security.md.
 *
 * @param file   {@code collectors.file.*}
 * @param syslog {@code collectors.syslog.*}
 */
public record CollectorsConfig(FileCollectors file, SyslogCollectors syslog) {
    public CollectorsConfig {
        file = file == null ? FileCollectors.defaults() : file;
        syslog = syslog == null ? SyslogCollectors.defaults() : syslog;
        file.toCore(List.of(), syslog.allowedPorts()); // refuse bad entries at load, naming them
    }

    public static CollectorsConfig defaults() {
        return new CollectorsConfig(null, null);
    }

    /**
     * @param allowedPaths globs or directories file collectors may read (a directory {@code d} means {@code d/**});
     *                     default {@code [/var/log/**]}. In an env var, entries are separated by commas (a comma
     *                     inside {@code {a,b}} stays in its glob)
     */
    public record FileCollectors(
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> allowedPaths) {
        public FileCollectors {
            List<String> out = new ArrayList<>();
            for (String e : allowedPaths == null ? CollectorConfinement.DEFAULT_ALLOWED_PATHS : allowedPaths) {
                if (e != null) out.addAll(split(e));
            }
            allowedPaths = List.copyOf(out);
        }

        public static FileCollectors defaults() {
            return new FileCollectors(null);
        }

        CollectorConfinement toCore(List<Path> forbidden, String ports) {
            return CollectorConfinement.of(allowedPaths, forbidden, ports);
        }
    }

    /**
     * @param allowedPorts ports and ranges syslog collectors may listen on, e.g. {@code 514,1024-65535} (the
     *                     default: the syslog port and the unprivileged ones)
     */
    public record SyslogCollectors(String allowedPorts) {
        public SyslogCollectors {
            allowedPorts = allowedPorts == null || allowedPorts.isBlank() ? CollectorConfinement.DEFAULT_ALLOWED_PORTS
                    : allowedPorts.strip();
        }

        public static SyslogCollectors defaults() {
            return new SyslogCollectors(null);
        }
    }

    /**
     * The core confinement: these allow-lists, and never the data dir nor the config file's directory.
     *
     * @param configFile the YAML file the config came from, or null
     */
    public CollectorConfinement toCore(Path dataDir, Path configFile) {
        List<Path> forbidden = new ArrayList<>();
        if (dataDir != null) forbidden.add(dataDir);
        if (configFile != null) {
            Path dir = configFile.toAbsolutePath().normalize().getParent();
            if (dir != null) forbidden.add(dir);
        }
        return file.toCore(forbidden, syslog.allowedPorts());
    }

    /** Splits {@code a,b/{x,y}*} on commas outside braces. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        for (char c : s.toCharArray()) {
            if (c == '{') depth++;
            if (c == '}' && depth > 0) depth--;
            if (c == ',' && depth == 0) {
                if (!cur.toString().isBlank()) out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }
}
