package io.bklog.core.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Documents the servers refused for good (a mapping or type refusal, one document larger than a request may be) and
 * the pipelines' dead letters (parse failures): kept on the agent's host in {@code {data_dir}/rejected/rejected.jsonl},
 * one JSON line each ({@code collector, index_set, id, status, reason, fields}), never silently dropped. Bounded: past
 * {@code maxBytes} the file becomes {@code rejected.jsonl.1} (replacing the previous one) and a new one begins, so at
 * most twice the bound is kept; every document is counted ({@link #count()}, the status' {@code rejected}).
 */
final class RejectedFile {
    private static final Logger log = LoggerFactory.getLogger(RejectedFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Default bound of the current file: 64 MiB. */
    static final long DEFAULT_MAX_BYTES = 64L << 20;

    private final Path dir;
    private final long maxBytes;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    RejectedFile(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    Path file() {
        return dir.resolve("rejected.jsonl");
    }

    /** Documents rejected since the agent started. */
    long count() {
        return count.get();
    }

    /** Rejected documents that could not be written to the file (disk full...); logged one by one. */
    long notWritten() {
        return lost.get();
    }

    synchronized void write(String collector, String indexSet, String id, int status, String reason,
                            Map<String, Object> fields) {
        count.incrementAndGet();
        log.warn("event=agent_document_rejected collector={} index_set={} id={} status={} reason=\"{}\" file={}",
                collector, indexSet, id, status, reason.length() > 300 ? reason.substring(0, 300) + "..." : reason,
                file());
        try {
            ObjectNode n = JSON.createObjectNode();
            n.put("collector", collector);
            n.put("index_set", indexSet);
            n.put("id", id);
            n.put("status", status);
            n.put("reason", reason);
            n.set("fields", JSON.valueToTree(fields));
            byte[] line = (JSON.writeValueAsString(n) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (!Files.isDirectory(dir)) AgentFiles.privateDir(dir);
            Path f = file();
            if (Files.exists(f) && Files.size(f) + line.length > maxBytes) {
                Files.move(f, dir.resolve("rejected.jsonl.1"), StandardCopyOption.REPLACE_EXISTING);
            }
            boolean created = !Files.exists(f);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                if (created) AgentFiles.privateFile(f);
                ByteBuffer b = ByteBuffer.wrap(line);
                while (b.hasRemaining()) ch.write(b);
                ch.force(false);
            }
        } catch (IOException | RuntimeException e) {
            lost.incrementAndGet();
            log.error("event=agent_rejected_not_written collector={} index_set={} id={} reason=\"{}\"", collector,
                    indexSet, id, e.toString());
        }
    }
}
