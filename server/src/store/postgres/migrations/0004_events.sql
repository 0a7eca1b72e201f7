-- Vitae schema 4: the account event log shared by every instance
-- (server/src/sse/relay.rs, server/src/store/postgres/events.rs).
--
-- An owner's events are numbered 1, 2, 3… by `event_seq`: taking a number
-- is an upsert that locks the owner's counter row until the transaction
-- commits, so per owner the commit order is the number order, and the
-- `NOTIFY vitae_events` sent in the same transaction reaches every
-- listening instance in that order. `events` keeps the newest events of
-- each owner (pruned on insert) so that a client reconnecting to any
-- instance with `Last-Event-ID: db-<seq>` gets exactly what it missed.
CREATE TABLE event_seq (
    owner text PRIMARY KEY,
    seq bigint NOT NULL
);

CREATE TABLE events (
    owner text NOT NULL,
    seq bigint NOT NULL,
    kind text NOT NULL,
    data text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, seq)
);
