package io.bklog.core.mask;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.DesensitizeConfig;
import io.bklog.core.meta.DesensitizeFieldConfig;
import io.bklog.core.meta.DesensitizeRule;
import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Desensitize rules and per-index-set masking configs, kept in the metadata database, and the compiled
 * {@link Masker} of each index set. Everything is validated on save (regex compiles, template references exist,
 * rules visible to the index set's space, fields exist). Maskers are cached for {@link #CACHE_TTL} and rebuilt at
 * once after a change made through this service.
 */
public final class MaskingService {
    private static final Logger log = LoggerFactory.getLogger(MaskingService.class);
    /** How long another instance's change may take to be seen here. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(10);

    private final MetadataStore meta;
    private final IndexSetService indexSets;
    private final Cache<Long, Masker> maskers = CacheBuilder.newBuilder().expireAfterWrite(CACHE_TTL).build();

    public MaskingService(MetadataStore meta, IndexSetService indexSets) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
    }

    /**
     * Creates a rule after checking it compiles; {@code conflict} when a live rule of the same space, or a public
     * one, has the name (a public rule's name clashes with any live rule). Another space's names are never revealed.
     */
    public DesensitizeRule createRule(DesensitizeRule rule) {
        MaskRules.validate(rule);
        boolean clash = rule.isPublic() ? meta.desensitizeRules().anyLiveNamed(rule.ruleName())
                : meta.desensitizeRules().findByName(rule.spaceUid(), rule.ruleName()).isPresent();
        if (clash) {
            throw new BklogException(ErrorCode.CONFLICT, "a desensitize rule named '" + rule.ruleName()
                    + "' exists already " + (rule.isPublic() ? "(public rule names are platform-wide)"
                    : "in this space or among the public rules"), "rule_name");
        }
        try {
            DesensitizeRule saved = meta.desensitizeRules().create(rule);
            log.info("desensitize rule created name={} operator={} space={}", saved.ruleName(), saved.operator(),
                    saved.spaceUid());
            return saved;
        } catch (DuplicateNameException e) {
            throw new BklogException(ErrorCode.CONFLICT, "a desensitize rule named '" + rule.ruleName()
                    + "' exists already in this space", "rule_name", Map.of(), e);
        }
    }

    /** Saves a changed rule (validated); every index set using it sees the change. */
    public DesensitizeRule updateRule(DesensitizeRule rule) {
        MaskRules.validate(rule);
        DesensitizeRule saved = meta.desensitizeRules().update(rule);
        maskers.invalidateAll();
        return saved;
    }

    /** Soft-deletes the rule; configs naming it stop applying it. */
    public void deleteRule(long id) {
        DesensitizeRule r = rule(id);
        meta.desensitizeRules().delete(r);
        maskers.invalidateAll();
    }

    public DesensitizeRule rule(long id) {
        return meta.desensitizeRules().findById(id).orElseThrow(() -> new BklogException(ErrorCode.BAD_REQUEST,
                "no desensitize rule with id " + id, "rule_id"));
    }

    /** Rules a space may use: its own plus the public ones, public first. */
    public List<DesensitizeRule> rules(String spaceUid) {
        return meta.desensitizeRules().listVisibleTo(spaceUid);
    }

    /**
     * Replaces the masking config of an index set: its field steps and its raw-text fields. A rule id may appear
     * once per field; rules must be visible to the index set's space; fields (top-level) must exist.
     */
    public void configure(String indexSetName, List<FieldMaskConfig> fieldConfigs, List<String> textFields) {
        IndexSet set = indexSets.get(indexSetName);
        List<DesensitizeFieldConfig> rows = rows(set, fieldConfigs, textFields);
        meta.desensitizeFieldConfigs().replaceAll(set.id(), rows);
        var existing = meta.desensitizeConfigs().findByIndexSet(set.id());
        if (existing.isPresent()) {
            meta.desensitizeConfigs().update(existing.get().withTextFields(textFields));
        } else {
            meta.desensitizeConfigs().create(DesensitizeConfig.of(set.id(), textFields));
        }
        maskers.invalidate(set.id());
        log.info("desensitize config saved index_set={} steps={} text_fields={}", set.name(), rows.size(), textFields);
    }

    /** The stored field steps of an index set, by priority. */
    public List<DesensitizeFieldConfig> fieldConfigs(String indexSetName) {
        return meta.desensitizeFieldConfigs().listByIndexSet(indexSets.get(indexSetName).id());
    }

    /** The raw-text fields of an index set. */
    public List<String> textFields(String indexSetName) {
        return meta.desensitizeConfigs().findByIndexSet(indexSets.get(indexSetName).id())
                .map(DesensitizeConfig::textFields).orElse(List.of());
    }

    /** The compiled masker of an index set ({@link Masker#none()} when it has no config). */
    public Masker masker(String indexSetName) {
        // read fresh (not IndexSetService.getRecent): a set deleted and made again elsewhere a moment ago must not be
        // masked with the old set's rules
        return masker(indexSets.get(indexSetName));
    }

    public Masker masker(IndexSet set) {
        try {
            return maskers.get(set.id(), () -> build(set));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (com.google.common.util.concurrent.UncheckedExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Masks sample documents with a config that is not saved (bklog's {@code preview}); the config is validated
     * exactly as {@link #configure} would.
     */
    public List<Map<String, Object>> preview(String indexSetName, List<Map<String, Object>> samples,
                                             List<FieldMaskConfig> fieldConfigs, List<String> textFields) {
        IndexSet set = indexSets.get(indexSetName);
        Masker m = compile(set, rows(set, fieldConfigs, textFields), textFields);
        return samples.stream().map(m::maskSource).toList();
    }

    private Masker build(IndexSet set) {
        List<DesensitizeFieldConfig> rows = meta.desensitizeFieldConfigs().listByIndexSet(set.id());
        List<String> text = meta.desensitizeConfigs().findByIndexSet(set.id()).map(DesensitizeConfig::textFields)
                .orElse(List.of());
        return compile(set, rows, text, true);
    }

    private Masker compile(IndexSet set, List<DesensitizeFieldConfig> rows, List<String> textFields) {
        return compile(set, rows, textFields, false);
    }

    /**
     * @param stored a saved config: a step that no longer compiles (a pattern saved before regexes became RE2
     *               syntax, e.g. with a lookahead) fails closed: its field, and every text field, is masked whole,
     *               and a warning names the rule, so searches keep working and nothing leaks until it is fixed
     */
    private Masker compile(IndexSet set, List<DesensitizeFieldConfig> rows, List<String> textFields, boolean stored) {
        Map<String, List<MaskStep>> steps = new LinkedHashMap<>();
        for (DesensitizeFieldConfig c : rows) {
            MaskStep step;
            if (stored) {
                try {
                    step = compileRow(c);
                } catch (BklogException e) {
                    log.warn("index set {} field {}: a saved masking step no longer compiles, the field and the text"
                            + " fields are masked whole until it is fixed: {}", set.name(), c.fieldName(),
                            e.getMessage());
                    MaskStep whole = new MaskStep("unusable", null, List.of(), new MaskOperator.MaskShield(0, 0, null),
                            c.sortIndex());
                    steps.computeIfAbsent(c.fieldName(), k -> new ArrayList<>()).add(whole);
                    for (String t : textFields) steps.computeIfAbsent(t, k -> new ArrayList<>()).add(whole);
                    continue;
                }
                if (step == null) continue;
                steps.computeIfAbsent(c.fieldName(), k -> new ArrayList<>()).add(step);
                continue;
            }
            if (c.ruleId() != null) {
                DesensitizeRule r = meta.desensitizeRules().findByIdIncludingDeleted(c.ruleId()).orElse(null);
                if (r == null || !r.isActive()) continue;
                if (!r.matchFields().isEmpty() && !r.matchFields().contains(c.fieldName())) continue;
                String pattern = c.matchPattern() != null && !c.matchPattern().isEmpty() ? c.matchPattern()
                        : r.matchPattern();
                step = MaskRules.compile(r.ruleName(), r.operator(), r.params(), pattern, c.sortIndex());
            } else {
                step = MaskRules.compile("inline", c.operator(), c.params(), c.matchPattern(), c.sortIndex());
            }
            steps.computeIfAbsent(c.fieldName(), k -> new ArrayList<>()).add(step);
        }
        if (steps.isEmpty() && textFields.isEmpty()) return Masker.none();
        return new Masker(steps, new HashSet<>(textFields));
    }

    /** The step of one saved row; null when its rule is gone, inactive or not for this field. */
    private MaskStep compileRow(DesensitizeFieldConfig c) {
        if (c.ruleId() != null) {
            DesensitizeRule r = meta.desensitizeRules().findByIdIncludingDeleted(c.ruleId()).orElse(null);
            if (r == null || !r.isActive()) return null;
            if (!r.matchFields().isEmpty() && !r.matchFields().contains(c.fieldName())) return null;
            String pattern = c.matchPattern() != null && !c.matchPattern().isEmpty() ? c.matchPattern()
                    : r.matchPattern();
            return MaskRules.compile(r.ruleName(), r.operator(), r.params(), pattern, c.sortIndex());
        }
        return MaskRules.compile("inline", c.operator(), c.params(), c.matchPattern(), c.sortIndex());
    }

    private List<DesensitizeFieldConfig> rows(IndexSet set, List<FieldMaskConfig> configs, List<String> textFields) {
        Set<String> seen = new HashSet<>();
        List<DesensitizeFieldConfig> rows = new ArrayList<>();
        for (String t : textFields) field(set, t, "text_fields");
        for (int i = 0; i < configs.size(); i++) {
            FieldMaskConfig c = configs.get(i);
            String where = "field_configs[" + i + "]";
            if (c.fieldName() == null || c.fieldName().isBlank()) {
                throw MaskRules.bad(where + ".field_name is required", where + ".field_name");
            }
            field(set, c.fieldName(), where + ".field_name");
            int sort = c.sortIndex() == null ? i : c.sortIndex();
            if (c.ruleId() != null && c.ruleId() != 0) {
                DesensitizeRule r = rule(c.ruleId());
                if (!r.isPublic() && !set.spaceUid().equals(r.spaceUid())) {
                    throw MaskRules.bad(where + ": rule " + c.ruleId() + " belongs to another space", where + ".rule_id");
                }
                if (!seen.add(c.fieldName() + "#" + c.ruleId())) {
                    throw MaskRules.bad(where + ": rule " + c.ruleId() + " is given twice for field '" + c.fieldName()
                            + "'", where + ".rule_id");
                }
                if (c.matchPattern() != null && !c.matchPattern().isEmpty()) {
                    MaskRules.compile(where, r.operator(), r.params(), c.matchPattern(), sort);
                }
                rows.add(new DesensitizeFieldConfig(0, set.id(), c.fieldName(), c.ruleId(), null, null,
                        c.matchPattern(), sort, 0, null, null));
            } else {
                MaskRules.compile(where, c.operator(), c.params(), c.matchPattern(), sort);
                rows.add(DesensitizeFieldConfig.inline(set.id(), c.fieldName(), c.operator(), c.params(),
                        c.matchPattern(), sort));
            }
        }
        return rows;
    }

    private static void field(IndexSet set, String name, String where) {
        int dot = name.indexOf('.');
        String top = dot > 0 ? name.substring(0, dot) : name;
        if (set.schema().field(name).isEmpty() && set.schema().field(top).isEmpty()) {
            throw new BklogException(ErrorCode.UNKNOWN_FIELD, "unknown field '" + name + "' in " + where
                    + " of index set '" + set.name() + "'", where);
        }
    }
}
