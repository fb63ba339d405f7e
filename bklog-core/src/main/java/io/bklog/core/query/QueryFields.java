package io.bklog.core.query;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Regex;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Checks a query against an index set's fields before it reaches a store. */
public final class QueryFields {
    private QueryFields() {}

    /**
     * Checks that every field the query names exists in {@code schema} and that no {@link Range} targets a
     * {@code text} field.
     *
     * @throws QueryValidationException naming the field, and for an unknown field the fields the index set has
     */
    public static void validate(Query query, IndexSetSchema schema) {
        visit(query, schema);
    }

    /** The fields a query names, in order of first appearance ({@code null} "any field" is not listed). */
    public static Set<String> fields(Query query) {
        Set<String> out = new LinkedHashSet<>();
        collect(query, out);
        return out;
    }

    private static void collect(Query q, Set<String> out) {
        if (q instanceof Bool b) {
            b.must().forEach(c -> collect(c, out));
            b.should().forEach(c -> collect(c, out));
            b.mustNot().forEach(c -> collect(c, out));
            return;
        }
        String f = fieldOf(q);
        if (f != null) out.add(f);
    }

    private static void visit(Query q, IndexSetSchema schema) {
        if (q instanceof Bool b) {
            b.must().forEach(c -> visit(c, schema));
            b.should().forEach(c -> visit(c, schema));
            b.mustNot().forEach(c -> visit(c, schema));
            return;
        }
        String name = fieldOf(q);
        if (name == null) return;
        Optional<FieldSpec> spec = schema.field(name);
        if (spec.isEmpty()) {
            throw new QueryValidationException(name, "unknown field '" + name + "' in the query; index set '"
                    + schema.name() + "' has fields: "
                    + schema.fields().stream().map(FieldSpec::name).collect(Collectors.joining(", ")));
        }
        if (q instanceof Range && spec.get().type() == FieldType.TEXT) {
            throw new QueryValidationException(name, "field '" + name + "' is text: a range ([a TO b], >, >=, <, <=)"
                    + " needs a keyword, ip, numeric or date field");
        }
    }

    private static String fieldOf(Query q) {
        if (q instanceof Term t) return t.field();
        if (q instanceof Phrase p) return p.field();
        if (q instanceof Wildcard w) return w.field();
        if (q instanceof Regex r) return r.field();
        if (q instanceof Range r) return r.field();
        if (q instanceof Exists e) return e.field();
        return null;
    }
}
