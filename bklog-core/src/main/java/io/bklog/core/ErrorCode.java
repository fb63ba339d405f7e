package io.bklog.core;

/**
 * Every error bklog reports, in one place. The {@link #code()} strings are stable: clients may match on them.
 * {@code docs/errors.md} lists each one with its cause and what to do (a test keeps the two in step).
 */
public enum ErrorCode {
    /** The request body is not valid JSON (or JSON lines). */
    BAD_JSON("bad_json", 400,
            "The request body is not valid JSON, or a JSON-lines body has a line that is not one JSON object.",
            "Fix the text at the reported line and column; nothing of the request was stored."),
    /** A parameter is missing, has the wrong type or a bad value. */
    BAD_REQUEST("bad_request", 400,
            "A request parameter is missing, has the wrong type or a value out of range.",
            "Correct the parameter named in `field`."),
    /** The keyword (query string) does not parse. */
    BAD_QUERY("bad_query", 400,
            "The `keyword` query string does not parse.",
            "Fix the query at the reported position (0-based character offset); quote values with spaces or special characters."),
    /** A query regular expression is too long or too complex for the store's automaton. */
    REGEX_TOO_COMPLEX("regex_too_complex", 400,
            "A regular expression in the query (`field:/.../`) is longer than 1,000 characters, repeats more than 1,000 times (`{1,100000}`), or its automaton would need more determinization work than the store allows (Lucene's and Elasticsearch's limit of 10,000).",
            "Use a shorter pattern with fewer alternatives and smaller repetitions, or a prefix (`msg:abc*`) or term query; the message names the pattern and the bound."),
    /** A query, filter, sort or field list names a field the index set does not have. */
    UNKNOWN_FIELD("unknown_field", 400,
            "The query, an `addition` filter, `sort_list` or `fields` names a field the index set does not map.",
            "Use one of the fields listed in the message, or add the field to the index set (PUT the index set with it)."),
    /** {@code begin + size} passes the result window. */
    RESULT_WINDOW_TOO_LARGE("result_window_too_large", 400,
            "`begin + size` is more than 10,000 (the result window).",
            "Page deeper with `search_after`: send the `sort_values` of the last hit of the previous page, with `begin` 0."),
    /** An ingested document is not valid for its index set. */
    BAD_DOCUMENT("bad_document", 400,
            "A document of an ingest batch is invalid (time field not a time, value not of the field's type).",
            "Fix the item named in the message; the whole batch was refused, so send it again once fixed."),
    /** An index set name or its settings are invalid. */
    INVALID_INDEX_SET("invalid_index_set", 400,
            "An index set name or setting is invalid (name not lower-case `[a-z0-9_]`, unknown field type, a field's type changed, bad retention/shards/replicas, unknown `storage_cluster`, or moving an index set that holds documents to another cluster).",
            "Correct the setting named in `field`; field types cannot change once created, add a field with a new name instead."),
    /** The index set does not exist. */
    INDEX_SET_NOT_FOUND("index_set_not_found", 404,
            "The index set named in the path does not exist.",
            "Create it first (PUT /api/v1/index_sets/{name}); the message lists the ones that exist."),
    /** {@code create} of an index set that exists already. */
    INDEX_SET_EXISTS("index_set_exists", 409,
            "An index set with this name exists already (library `create`; the HTTP PUT creates or updates).",
            "Use update, or pick another name."),
    /** Someone else changed the same record meanwhile. */
    CONFLICT("conflict", 409,
            "Another request (or another bklog instance) changed the same index set meanwhile.",
            "Read it again and retry the change."),
    /** No route for this method and path. */
    ROUTE_NOT_FOUND("route_not_found", 404,
            "No API route matches the method and path.",
            "Check the method and path against the README's API section."),
    /** The ingest queue is full; nothing of the request was taken, retry after {@code Retry-After} seconds. */
    INGEST_BUSY("ingest_busy", 429,
            "The ingest queue is full (the store writes slower than documents arrive); nothing of the request was taken.",
            "Send the same request again after the `Retry-After` header's seconds; nothing of the request was taken, so resending stores nothing twice."),
    COLLECTOR_NOT_FOUND("collector_not_found", 404,
            "The collector config named in the path does not exist.",
            "Create it first (POST /api/v1/collectors); GET /api/v1/collectors lists the ones that exist."),
    EXPORT_NOT_FOUND("export_not_found", 404,
            "The export job named in the path does not exist in the caller's space.",
            "GET /api/v1/exports lists the export jobs of your space; start one with POST /api/v1/index_sets/{name}/exports."),
    EXPORT_NOT_READY("export_not_ready", 409,
            "The export file cannot be downloaded: the job is still running or it failed.",
            "Poll GET /api/v1/exports/{id} until status is success (a failed job says why in error), then download."),
    EXPORT_EXPIRED("export_expired", 410,
            "The export file passed its expiry (`export.expiry`, default 24h) and was deleted.",
            "Start the export again with POST /api/v1/index_sets/{name}/exports."),
    FAVORITE_NOT_FOUND("favorite_not_found", 404,
            "The favorite named in the path does not exist, or belongs to another user or space.",
            "GET /api/v1/favorites lists the favorites you can see."),
    /** The patterns route or a pattern search was used on an index set with log clustering off. */
    PATTERNS_OFF("patterns_off", 400,
            "The index set does not cluster its lines into patterns (`patterns.enabled` is false), so it has no patterns to list, label or re-mine.",
            "Turn clustering on: PUT the index set with `\"patterns\": {\"enabled\": true}` (docs/patterns.md); lines stored before are re-mined by the `patterns_remine` task."),
    /** A pattern id named in the path is not a pattern of the index set. */
    PATTERN_NOT_FOUND("pattern_not_found", 404,
            "The pattern id named in the path is not a pattern of the index set (ids are per index set).",
            "GET /api/v1/index_sets/{name}/patterns lists the patterns with their ids; a pattern created on another instance is known everywhere within `patterns.sync_interval`."),
    /** A collector config does not validate; {@code errors} lists every problem with its position. */
    /** An alert rule, channel or silence is invalid. */
    INVALID_ALERT("invalid_alert", 400,
            "An alert rule, channel, silence or maintenance window is invalid (unknown condition type, window or period out of range, unknown channel, bad webhook URL or SMTP setting, a silence ending before it starts, `unmasked` asked by a token without the `unmasked` role).",
            "Correct the setting named in `field` (docs/alerting.md lists every setting and its range)."),
    /** The alert rule, channel or silence does not exist in the caller's space. */
    ALERT_NOT_FOUND("alert_not_found", 404,
            "The alert rule, channel or silence named in the path does not exist in the caller's space.",
            "List them (GET /api/v1/alerts/rules, /channels, /silences) and use an id or name from the list."),
    /** A rule or channel of that name exists in the space, or a channel is still used by a rule. */
    ALERT_EXISTS("alert_exists", 409,
            "An alert rule or channel with this name exists already in the space, or a channel to delete is still used by a rule.",
            "Pick another name, update the existing one, or remove the channel from the rules that use it first."),
    INVALID_COLLECTOR_CONFIG("invalid_collector_config", 400,
            "A collector config (or an ETL preview) is invalid: unknown index set or source type, bad source params, a regex or grok that does not compile, unknown time format, reserved field name, delimiter field without field_index, bad multiline or filter.",
            "Fix each entry of `errors` (its `path` says where, e.g. `fields[2].time_format`, `etl_params.separator_regexp`); nothing was saved."),
    /** A collector config with this name exists already. */
    COLLECTOR_EXISTS("collector_exists", 409,
            "A collector config with this name exists already.",
            "Pick another name, or update the existing one (PUT /api/v1/collectors/{id})."),
    /** An agent reported under the name of an agent of another space. */
    AGENT_NAME_TAKEN("agent_name_taken", 409,
            "An agent (bklog agent --name) reported its status under the name of an agent of another space, or of another agent (another agent_id, the UUID in its data dir) of this space seen within the last 30 s; agent names are unique.",
            "Start the agent with another --name, or with a token of the space the name belongs to; to replace a host, stop the old agent (its name is free 30 s after its last heartbeat) or DELETE /api/v1/agents/{name}."),
    /** No agent of the caller's space has this name. */
    AGENT_NOT_FOUND("agent_not_found", 404,
            "No agent of your space has this name (GET /api/v1/agents lists them).",
            "Check the name; an agent removed with DELETE /api/v1/agents/{name} comes back with its next heartbeat unless it is stopped."),
    /** A file collector path (or a file it would read) is outside the allowed roots, or under bklog's own dirs. */
    COLLECTOR_PATH_NOT_ALLOWED("collector_path_not_allowed", 403,
            "A file collector's path is outside `collectors.file.allowed_paths`, climbs with `..`, or is under bklog's data directory or config file's directory (never readable, whatever the allow-list says).",
            "Collect from a path under `collectors.file.allowed_paths` (the message names the path and the rule), or ask the server's operator to allow the directory (env BKLOG_COLLECTORS_FILE_ALLOWED_PATHS)."),
    /** A syslog collector port is outside the allowed ports. */
    COLLECTOR_PORT_NOT_ALLOWED("collector_port_not_allowed", 403,
            "A syslog collector's port is outside `collectors.syslog.allowed_ports`.",
            "Listen on an allowed port (the message names the rule), or ask the server's operator to allow it (env BKLOG_COLLECTORS_SYSLOG_ALLOWED_PORTS)."),
    /** A masked caller queried, sorted or aggregated on a masked field. */
    MASKED_FIELD("masked_field", 400,
            "The token has no `unmasked` role and the query, an `addition` filter, `sort_list`, `search_after`, a terms aggregation or field analysis uses a field the index set masks; matching on it would reveal the raw values (docs/security.md).",
            "Query, sort and aggregate on fields that are not masked, or use a token with the `unmasked` role."),
    /** The request body is larger than the server accepts. */
    PAYLOAD_TOO_LARGE("payload_too_large", 413,
            "The request body is larger than `server.max_request_bytes`.",
            "Send smaller batches, or raise `server.max_request_bytes` (env BKLOG_SERVER_MAX_REQUEST_BYTES)."),
    /** The request URI is longer than the server reads (Jetty's limit). */
    URI_TOO_LONG("uri_too_long", 414,
            "The request URI (path and query string) is longer than the server reads (8 KB).",
            "Send long parameters (queries, filters) in a POST body instead of the URL."),
    /** The request headers are larger than the server reads. */
    HEADERS_TOO_LARGE("headers_too_large", 431,
            "The request headers together are larger than the server reads (8 KB).",
            "Send fewer or shorter headers (large cookies are the usual cause)."),
    /** No backend of that name is on the classpath. */
    UNKNOWN_BACKEND("unknown_backend", 500,
            "The configured backend name (`store.backend`, `.backend(name, ...)`) matches no BackendProvider on the classpath or installed.",
            "Use one of the names listed in the message, or put the backend's jar on the classpath."),
    /** The backend exists but the settings given to it are invalid. */
    BAD_BACKEND_CONFIG("bad_backend_config", 500,
            "A backend refused its settings (missing or bad `store.settings.*`).",
            "Fix the setting named in the message and start again."),
    /** The backend failed (unreachable, refused, timed out). */
    BACKEND_UNAVAILABLE("backend_unavailable", 503,
            "The storage backend or the metadata database failed or is unreachable.",
            "Retry with backoff; check /healthz and the backend named in the message."),
    /** The backend cannot do what was asked. */
    UNSUPPORTED_FEATURE("unsupported_feature", 501,
            "The configured backend does not support the requested feature.",
            "Use a backend that supports it (the message names the feature and the backend)."),
    /** No task of this name is registered, or no task status has this id. */
    TASK_NOT_FOUND("task_not_found", 404,
            "No task of this name is registered (GET /api/v1/tasks lists them), or no ad-hoc task has this id.",
            "Check the task name or the task id returned when the task was queued."),
    /** No backup or restore with this id. */
    OPERATION_NOT_FOUND("operation_not_found", 404,
            "No backup (GET /api/v1/backups) or restore (GET /api/v1/restores) has this id.",
            "Use an id from the list."),
    /** An operation was refused for a reason the message gives (no archive, disk watermark, no parent backup). */
    OPERATION_REFUSED("operation_refused", 409,
            "The backup or restore cannot run as asked: the index set has no archive config or nothing archived in the range, the restore would pass the disk watermark (the message gives the figures), or an incremental backup has no full backup to build on.",
            "Fix what the message names (add an archive config, shorten the range, free disk, take a full backup first) and ask again."),
    /** Anything else: a bug. */
    INTERNAL("internal", 500,
            "An unexpected error inside bklog; it is logged with the same `error_id`.",
            "Report it with the `error_id` and the server log line that carries it.");

    private final String code;
    private final int httpStatus;
    private final String cause;
    private final String remedy;

    ErrorCode(String code, int httpStatus, String cause, String remedy) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.cause = cause;
        this.remedy = remedy;
    }

    /** The stable code clients match on, e.g. {@code bad_json}. */
    public String code() { return code; }

    /** The HTTP status the server answers with. */
    public int httpStatus() { return httpStatus; }

    /** Why this error happens. */
    public String cause() { return cause; }

    /** What to do about it. */
    public String remedy() { return remedy; }
}
