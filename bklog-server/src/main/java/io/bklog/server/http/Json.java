package io.bklog.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldType;

import java.io.IOException;
import java.util.Locale;

/** The API's JSON: snake_case names, ISO-8601 times, lower-case field types and statuses, unknown keys refused. */
public final class Json {
    private Json() {}

    public static ObjectMapper mapper() {
        SimpleModule bklog = new SimpleModule("bklog-api")
                .addSerializer(FieldType.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(FieldType v, JsonGenerator g, SerializerProvider p) throws IOException {
                        g.writeString(v.wireName());
                    }
                })
                .addDeserializer(FieldType.class, new JsonDeserializer<>() {
                    @Override
                    public FieldType deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        try {
                            return FieldType.parse(p.getValueAsString(""));
                        } catch (IllegalArgumentException e) {
                            throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, e.getMessage(),
                                    p.getText(), FieldType.class);
                        }
                    }
                })
                .addSerializer(BulkResult.Status.class, new JsonSerializer<>() {
                    @Override
                    public void serialize(BulkResult.Status v, JsonGenerator g, SerializerProvider p)
                            throws IOException {
                        g.writeString(v.name().toLowerCase(Locale.ROOT));
                    }
                });
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(bklog)
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
