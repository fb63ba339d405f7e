package io.bklog.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jetty's own error answers (a request it refuses before any route sees it: a bad URI such as {@code %00}, a URI
 * or headers over its limits, a malformed request line or header) in the JSON shape of docs/errors.md instead of
 * Jetty's HTML page. The status stays Jetty's (400, 414, 431, ...); the body names the problem.
 */
public final class JsonJettyErrors extends ErrorHandler {
    private final ObjectMapper json;

    public JsonJettyErrors(ObjectMapper json) {
        this.json = json;
        setShowStacks(false);
        setShowServlet(false);
    }

    /** Installs this handler on the Jetty server of a Javalin config and on its servlet context. */
    public static void install(io.javalin.config.JavalinConfig cfg, ObjectMapper json) {
        JsonJettyErrors errors = new JsonJettyErrors(json);
        cfg.jetty.modifyServer(server -> server.setErrorHandler(errors));
        cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonJettyErrors(json)));
    }

    /** The error answer of a request Jetty's parser refused (bad request line, URI, header; URI/headers too long). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        return ByteBuffer.wrap(body(status, reason));
    }

    /** The error answer of a request Jetty refused after parsing it (an ambiguous or bad path, ...). */
    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
                                              HttpServletResponse response, int code, String message)
            throws IOException {
        baseRequest.setHandled(true);
        response.setContentType("application/json; charset=utf-8");
        response.getOutputStream().write(body(code, message));
    }

    byte[] body(int status, String reason) {
        ErrorCode code = codeOf(status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code.code());
        String why = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        body.put("message", message(status, why));
        body.put("field", field(status));
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ErrorCode codeOf(int status) {
        return switch (status) {
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 431 -> ErrorCode.HEADERS_TOO_LARGE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
        };
    }

    private static String message(int status, String why) {
        String text = why.replaceAll("[\\r\\n\\t]", " ");
        return switch (status) {
            case 414 -> "the request URI is too long (" + text + "); send long parameters in a POST body";
            case 431 -> "the request headers are too large (" + text + "); send fewer or shorter headers";
            default -> status >= 500 ? "the server could not answer (" + text + ")"
                    : "the HTTP request is malformed: " + text + " (HTTP " + status + ")";
        };
    }

    private static String field(int status) {
        return switch (status) {
            case 414 -> "uri";
            case 431 -> "headers";
            default -> null;
        };
    }
}
