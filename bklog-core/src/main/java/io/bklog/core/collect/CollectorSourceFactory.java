package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.ingest.IngestPipeline;

import java.util.List;

/**
 * Starts the source of a collector config of one {@link #type()} ({@code file}, {@code syslog}, {@code kafka}, ...).
 * The collector runtime finds factories with {@link java.util.ServiceLoader} (file
 * {@code META-INF/services/io.bklog.core.collect.CollectorSourceFactory}) and given ones, builds the collector's
 * {@link IngestPipeline} (filters, multi-line, ETL, delivery) and hands it to {@link #start}: the source feeds
 * lines into the pipeline ({@link IngestPipeline#submit}) until the returned handle is closed.
 *
 * <p>A backend module adds its source this way (bklog-kafka: {@code kafka}) without core knowing it.
 */
public interface CollectorSourceFactory {

    /** The {@code source_type} of collector configs this factory starts, e.g. {@code kafka}. */
    String type();

    /**
     * Problems of {@code params} (the collector's {@code source_params}), each naming the parameter, e.g.
     * {@code "topic: required"}; empty when valid. Called when a collector config is saved.
     */
    List<String> validate(JsonNode params);

    /**
     * Whether collectors of this type use a resource of the host the server runs on (its files, its ports): only a
     * platform admin (an admin of the default space) may create or change them. Default false.
     */
    default boolean hostResource() { return false; }

    /**
     * Refuses valid {@code params} that reach host resources this server does not allow (a file outside the allowed
     * paths, a port outside the allowed ports) with a {@link io.bklog.core.BklogException} (403) naming the value
     * and the rule. Called when a collector is saved and before its source starts. Default: allows everything.
     */
    default void checkHostAccess(JsonNode params) { }

    /**
     * Starts reading. {@code collector} names the source in document ids and metrics (the collector's name);
     * {@code pipeline} belongs to the caller, who closes it after closing the returned handle.
     */
    Running start(String collector, JsonNode params, IngestPipeline pipeline) throws Exception;

    /** A started source. */
    interface Running extends AutoCloseable {
        /** A short state for the collectors API, e.g. {@code "consuming topic app-logs, lag 12"}. */
        default String describe() { return "running"; }

        /** Stops reading; lines already handed to the pipeline are delivered by it. */
        @Override
        void close() throws Exception;
    }
}
