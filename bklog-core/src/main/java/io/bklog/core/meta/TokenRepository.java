package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** API tokens, looked up by the hash of the presented secret. */
public final class TokenRepository {
    static final String TABLE = "tokens";
    private final Db db;
    private final Table<Token> table;

    TokenRepository(Db db) {
        this.db = db;
        this.table = Table.<Token>builder(db, TABLE, "token")
                .mapper((rs, ctx) -> new Token(rs.getLong("id"), rs.getString("name"), rs.getString("token_hash"),
                        rs.getString("space_uid"), db.stringList(rs, "roles"), Db.instant(rs, "expires_at"),
                        rs.getLong("version"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(Token::id).version(Token::version).name(Token::name)
                .columns(t -> Db.cols("name", t.name(), "token_hash", t.tokenHash(), "space_uid", t.spaceUid(),
                        "roles", db.json(t.roles()), "expires_at", t.expiresAt()))
                .build();
    }

    /** Creates the token; {@link DuplicateNameException} if its space has the name (or the secret is used). */
    public Token create(Token token) {
        return table.insert(token);
    }

    public Token update(Token token) {
        return table.update(token);
    }

    public void delete(Token token) {
        table.delete(token);
    }

    public Optional<Token> findById(long id) {
        return table.find(id);
    }

    /** The token of that name in the space (names are unique per space only). */
    public Optional<Token> findByName(String spaceUid, String name) {
        return table.findOne("space_uid = :s AND name = :name", Map.of("s", spaceUid, "name", name));
    }

    public Optional<Token> findByHash(String tokenHash) {
        return table.findOne("token_hash = :h", Map.of("h", tokenHash));
    }

    /** The token whose secret this is, expired or not (check {@link Token#isExpired(Instant)}). */
    public Optional<Token> findBySecret(String secret) {
        return findByHash(Token.hash(secret));
    }

    public List<Token> listBySpace(String spaceUid) {
        return table.list("space_uid = :s", Map.of("s", spaceUid), "name", 0);
    }

    public List<Token> list() {
        return table.list(null, Map.of(), "name", 0);
    }

    /** Removes tokens that expired before {@code now}; returns how many. */
    public int deleteExpired(Instant now) {
        return table.deleteWhere("expires_at IS NOT NULL AND expires_at <= :now", Map.of("now", Db.ts(now)));
    }
}
