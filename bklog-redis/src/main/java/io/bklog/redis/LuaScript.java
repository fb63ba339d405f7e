package io.bklog.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A Lua script run by its SHA-1 ({@code EVALSHA}), sent whole once when the server does not know it yet. */
final class LuaScript {
    private final String body;
    private final String sha;

    LuaScript(String body) {
        this.body = body;
        try {
            this.sha = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    <T> T run(RedisClusterCommands<String, String> cmd, ScriptOutputType type, String[] keys, String... args) {
        try {
            return cmd.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return cmd.eval(body, type, keys, args);
        }
    }
}
