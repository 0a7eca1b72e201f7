-- Vitae schema 3: the parse queue in the database, shared by every server
-- instance on it (server/src/store/postgres/queue.rs).
--
-- One row per resume waiting for a parse or being parsed, inserted in the
-- same transaction as the `pending` resume and deleted in the same
-- transaction as the parse outcome: a resume is `pending` or `parsing`
-- exactly while it has a row here.
--
-- `round` orders owners in turn: the owner's jobs in the table when this
-- one was queued, so one owner's backlog does not hold up another owner's
-- first upload. A worker claims the first row in (round, enqueued_at)
-- order whose lease is free or has run out (FOR UPDATE SKIP LOCKED), sets
-- `claimed_by` to its instance and `lease_until` ahead, and renews the
-- lease while the parse runs. `attempts` counts the claims: a parse whose
-- claims were lost three times (instances killed while parsing it) is
-- failed rather than tried again.
CREATE TABLE parse_jobs (
    resume_id uuid PRIMARY KEY REFERENCES resumes (id) ON DELETE CASCADE,
    owner text NOT NULL,
    round integer NOT NULL,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    claimed_by uuid,
    lease_until timestamptz,
    attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX parse_jobs_claim_order ON parse_jobs (round, enqueued_at);
CREATE INDEX parse_jobs_by_owner ON parse_jobs (owner);

-- Resumes left unfinished by a server of schema 2 are queued now.
INSERT INTO parse_jobs (resume_id, owner, round, enqueued_at)
    SELECT id, owner, 0, created_at FROM resumes WHERE status IN ('pending', 'parsing');
