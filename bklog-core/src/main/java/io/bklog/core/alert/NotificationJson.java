package io.bklog.core.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.alert.AlertNotification;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON body of a notification (the webhook body, docs/alerting.md), and back. */
public final class NotificationJson {
    /** The {@code version} field of the body; grows only with an incompatible change. */
    public static final String VERSION = "1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private NotificationJson() {}

    public static String write(AlertNotification n) {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION).put("id", n.id()).put("status", n.status());
        ObjectNode rule = o.putObject("rule");
        rule.put("id", n.ruleId()).put("name", n.ruleName()).put("space", n.space()).put("index_set", n.indexSet());
        o.put("severity", n.severity());
        o.set("labels", JSON.valueToTree(n.labels()));
        o.put("message", n.message()).put("value", n.value()).put("threshold", n.threshold());
        ObjectNode w = o.putObject("window");
        w.put("start", n.windowStart().toString()).put("end", n.windowEnd().toString())
                .put("seconds", n.window().toSeconds());
        o.set("groups", JSON.valueToTree(n.groups()));
        o.set("samples", JSON.valueToTree(n.samples()));
        o.put("fired_at", n.firedAt() == null ? null : n.firedAt().toString());
        o.put("sent_at", n.sentAt().toString());
        return o.toString();
    }

    public static AlertNotification read(String body) {
        try {
            JsonNode o = JSON.readTree(body);
            JsonNode rule = o.path("rule");
            JsonNode w = o.path("window");
            return new AlertNotification(o.path("id").asText(), o.path("status").asText(), rule.path("id").asLong(),
                    rule.path("name").asText(), rule.path("space").asText(), rule.path("index_set").asText(),
                    o.path("severity").asText(), JSON.convertValue(o.path("labels"), new TypeReference<Map<String, String>>() {}),
                    o.path("message").asText(), o.path("value").asDouble(), o.path("threshold").asDouble(),
                    Instant.parse(w.path("start").asText()), Instant.parse(w.path("end").asText()),
                    JSON.convertValue(o.path("groups"), new TypeReference<LinkedHashMap<String, Double>>() {}),
                    JSON.convertValue(o.path("samples"), new TypeReference<List<Map<String, Object>>>() {}),
                    o.hasNonNull("fired_at") ? Instant.parse(o.get("fired_at").asText()) : null,
                    Instant.parse(o.path("sent_at").asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored notification is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A copy with another id (one per channel). */
    static AlertNotification withId(AlertNotification n, String id) {
        return new AlertNotification(id, n.status(), n.ruleId(), n.ruleName(), n.space(), n.indexSet(), n.severity(),
                n.labels(), n.message(), n.value(), n.threshold(), n.windowStart(), n.windowEnd(), n.groups(),
                n.samples(), n.firedAt(), n.sentAt());
    }
}
