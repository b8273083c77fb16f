import GRDB

/// The SQLite schema of a ledger file. Migrations are frozen once shipped: a change is a new
/// migration, never an edit, so every ledger ever written opens with this code.
enum LedgerSchema {
    /// Written in `ledger_meta` so foreign SQLite files are told apart from ledgers.
    static let applicationId = "outlet-ledger"
    /// The newest format this program reads and writes.
    static let formatVersion = 7
    /// Every migration this program knows, in order.
    static let knownMigrations = ["v1-events", "v2-snapshots", "v3-reference-stream", "v4-checkpoints", "v5-access-tokens",
                                  "v6-publicized-index", "v7-snapshot-segments"]
    /// The one event type a rule reads by type (Art. 6(3): a publicity notice number names one date), and the
    /// partial index that holds its events alone.
    static let indexedType = "publicized"
    static let indexedTypeIndex = "events_publicized"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-events") { db in
            try db.execute(sql: """
                CREATE TABLE ledger_meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) STRICT;
                INSERT INTO ledger_meta (key, value) VALUES ('application', 'outlet-ledger'), ('formatVersion', '1');

                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
                    event_id TEXT NOT NULL UNIQUE,
                    stream TEXT NOT NULL,
                    stream_version INTEGER NOT NULL CHECK (stream_version >= 1),
                    type TEXT NOT NULL,
                    schema_version INTEGER NOT NULL,
                    effective_on TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    actor_role TEXT NOT NULL,
                    actor_unit TEXT NOT NULL,
                    actor_name TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    UNIQUE (stream, stream_version)
                ) STRICT;

                CREATE INDEX events_by_recorded_at ON events (recorded_at);

                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END;
                CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is refused'); END;

                -- The newest event's seq and hash, rewritten by every append in its transaction: without it,
                -- deleting the last events would leave a shorter chain that still verifies.
                CREATE TABLE chain_head (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    seq INTEGER NOT NULL,
                    hash TEXT NOT NULL
                ) STRICT;

                CREATE TABLE ledger_settings (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                ) STRICT;
                CREATE TRIGGER ledger_settings_no_update BEFORE UPDATE ON ledger_settings
                BEGIN SELECT RAISE(ABORT, 'ledger settings are written once, at init'); END;
                CREATE TRIGGER ledger_settings_no_delete BEFORE DELETE ON ledger_settings
                BEGIN SELECT RAISE(ABORT, 'ledger settings are written once, at init'); END;
                """)
        }
        migrator.registerMigration("v2-snapshots") { db in
            // Snapshots are a cache of the projections, not history: prune may delete them, so no triggers.
            try db.execute(sql: """
                CREATE TABLE snapshots (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 1),
                    hash TEXT NOT NULL,
                    format_version INTEGER NOT NULL,
                    projection_version INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    content_size INTEGER NOT NULL,
                    frame BLOB NOT NULL
                ) STRICT;
                UPDATE ledger_meta SET value = '2' WHERE key = 'formatVersion';
                """)
        }
        migrator.registerMigration("v3-reference-stream") { db in
            // The policy and the holiday data move into the chain, as events of the stream `registry` that
            // the next append records (the genesis). A program that knows nothing of that stream must not
            // write to the ledger any more, hence the format. The index serves registry-wide rules that read
            // one type of event (a publicity notice number names one date).
            try db.execute(sql: """
                CREATE INDEX events_by_type ON events (type, seq);
                UPDATE ledger_meta SET value = '3' WHERE key = 'formatVersion';
                """)
        }
        migrator.registerMigration("v4-checkpoints") { db in
            // Signed checkpoints of the Merkle tree over the log: what the bureau published, so append-only.
            try db.execute(sql: """
                CREATE TABLE checkpoints (
                    size INTEGER PRIMARY KEY NOT NULL CHECK (size >= 1),
                    note TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) STRICT;
                CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
                BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE is refused'); END;
                CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
                BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE is refused'); END;
                UPDATE ledger_meta SET value = '4' WHERE key = 'formatVersion';
                """)
        }
        migrator.registerMigration("v5-access-tokens") { db in
            // The service's bearer tokens: only the SHA-256 of each secret, never the secret. Not history (the
            // chain records the acts; a token only opens the door), yet an issued token is never re-pointed:
            // the one change it may take is its revocation, once.
            try db.execute(sql: """
                CREATE TABLE access_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    sha256 TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    name TEXT NOT NULL,
                    issued_at TEXT NOT NULL,
                    expires_on TEXT,
                    revoked_at TEXT
                ) STRICT;
                CREATE TRIGGER access_tokens_revoke_only BEFORE UPDATE ON access_tokens
                WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL OR NEW.id IS NOT OLD.id OR NEW.sha256 IS NOT OLD.sha256
                  OR NEW.role IS NOT OLD.role OR NEW.unit IS NOT OLD.unit OR NEW.name IS NOT OLD.name
                  OR NEW.issued_at IS NOT OLD.issued_at OR NEW.expires_on IS NOT OLD.expires_on
                BEGIN SELECT RAISE(ABORT, 'an issued token only takes its revocation, once'); END;
                CREATE TRIGGER access_tokens_no_delete BEFORE DELETE ON access_tokens
                BEGIN SELECT RAISE(ABORT, 'issued tokens are kept: revoke one instead'); END;
                UPDATE ledger_meta SET value = '5' WHERE key = 'formatVersion';
                """)
        }
        migrator.registerMigration("v6-publicized-index") { db in
            // The type index held every event, so every append wrote a page of it (and split its pages in the
            // middle, where the type's range ends): about 1.5 of an append's 7.5 WAL frames, for a query that
            // reads one type alone. A partial index holds that type's events, and other appends write no page
            // of it. SQLite uses it only for a query that names its condition: `EventStore.events(ofType:afterSeq:)`.
            try db.execute(sql: """
                DROP INDEX events_by_type;
                CREATE INDEX \(indexedTypeIndex) ON events (seq) WHERE type = '\(indexedType)';
                UPDATE ledger_meta SET value = '6' WHERE key = 'formatVersion';
                """)
        }
        migrator.registerMigration("v7-snapshot-segments") { db in
            // An automatic snapshot may be a segment (snapshot format 5): the changes since a whole snapshot,
            // which it needs to load, so a prune must keep that one. NULL: a whole snapshot. A program that
            // does not know segments would prune bases away, hence the format.
            try db.execute(sql: """
                ALTER TABLE snapshots ADD COLUMN base_seq INTEGER;
                UPDATE ledger_meta SET value = '7' WHERE key = 'formatVersion';
                """)
        }
        return migrator
    }
}
