package io.bklog.core.ingest.source;

import io.bklog.core.ingest.FilterCondition;
import io.bklog.core.ingest.LineFilterSupport;
import io.bklog.spi.source.SourceLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * bklog's {@code syslog_conditions}: {@code [{syslog_field, syslog_content, syslog_op (include), syslog_logic_op
 * (and)}]}, on the parsed fields of a syslog message: {@code address}, {@code port}, {@code priority},
 * {@code facility}, {@code facility_label}, {@code severity}, {@code severity_label}, {@code program}, {@code pid}.
 * AND within a group, an {@code or} item starts a new group. Immutable, thread-safe.
 */
public final class SyslogFilter implements Predicate<SourceLine> {

    public static final Set<String> FIELDS = Set.of("address", "port", "priority", "facility", "facility_label",
            "severity", "severity_label", "program", "pid");

    public static final SyslogFilter NONE = new SyslogFilter(List.of());

    private record Cond(String field, Predicate<String> test) {
    }

    private final List<List<Cond>> groups;

    private SyslogFilter(List<List<Cond>> groups) {
        this.groups = groups;
    }

    /** @throws IllegalArgumentException naming the item for an unknown field, op or bad regex */
    public static SyslogFilter fromBklog(List<? extends Map<String, ?>> conditions) {
        if (conditions == null || conditions.isEmpty()) return NONE;
        List<List<Cond>> groups = new ArrayList<>();
        List<Cond> current = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            Map<String, ?> c = conditions.get(i);
            String field = str(c.get("syslog_field"));
            String content = str(c.get("syslog_content"));
            String op = str(c.get("syslog_op"));
            String logic = str(c.get("syslog_logic_op"));
            if (field == null || !FIELDS.contains(field)) {
                throw new IllegalArgumentException("syslog_conditions[" + i + "].syslog_field '" + field
                        + "' must be one of " + FIELDS);
            }
            FilterCondition fc = new FilterCondition(1, op == null ? "include" : op,
                    content == null ? "" : content, logic);
            if (fc.logicOp().equals("or") && !current.isEmpty()) {
                groups.add(List.copyOf(current));
                current = new ArrayList<>();
            }
            if (fc.word().isEmpty()) continue;
            current.add(new Cond(field, LineFilterSupport.predicate(fc, i)));
        }
        if (!current.isEmpty()) groups.add(List.copyOf(current));
        return new SyslogFilter(List.copyOf(groups));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    @Override
    public boolean test(SourceLine line) {
        if (groups.isEmpty()) return true;
        for (List<Cond> g : groups) {
            boolean all = true;
            for (Cond c : g) {
                Object v = line.extra().get(c.field());
                if (v == null || !c.test().test(v.toString())) {
                    all = false;
                    break;
                }
            }
            if (all) return true;
        }
        return false;
    }
}
