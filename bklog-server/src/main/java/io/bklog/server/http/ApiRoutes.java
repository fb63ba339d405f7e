package io.bklog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;

import java.util.List;

/** Every route group of the API, in one place: add a new group here. */
public final class ApiRoutes {
    private ApiRoutes() {}

    public static List<RouteGroup> all(LogPlatform platform, ObjectMapper json) {
        Bodies bodies = new Bodies(json);
        return List.of(
                new IndexSetRoutes(platform.indexSets(), bodies),
                new IngestRoutes(platform.pipeline(), bodies),
                new SearchRoutes(platform.search(), bodies));
    }
}
