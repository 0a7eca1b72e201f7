-- Vitae schema 1: every table of the store.
--
-- Records keep their JSON form (with its schema version `v`, see
-- server/src/store/records.rs) in a `record` text column, exactly as the
-- redb backend stores them, so one set of record types and migrations
-- serves both backends; the columns beside it are what a constraint, an
-- index or a compare-and-set needs. Text, not jsonb: a document is served
-- as it was stored, member order included.

CREATE TABLE resumes (
    id uuid PRIMARY KEY,
    owner text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'parsing', 'ready', 'failed')),
    revision bigint NOT NULL,
    is_master boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    record text NOT NULL,
    -- Only a ready resume can be the master.
    CONSTRAINT resumes_master_is_ready CHECK (NOT is_master OR status = 'ready')
);
CREATE INDEX resumes_by_owner ON resumes (owner, created_at);
-- At most one master per owner: a constraint, not a check in code.
CREATE UNIQUE INDEX resumes_one_master_per_owner ON resumes (owner) WHERE is_master;
CREATE INDEX resumes_unfinished ON resumes (created_at) WHERE status IN ('pending', 'parsing');

CREATE TABLE originals (
    resume_id uuid PRIMARY KEY REFERENCES resumes (id) ON DELETE CASCADE,
    bytes bytea NOT NULL
);

CREATE TABLE texts (
    resume_id uuid PRIMARY KEY REFERENCES resumes (id) ON DELETE CASCADE,
    text text NOT NULL
);

-- Earlier revisions: whole, or as a reverse delta from the next one
-- (server/src/store/delta.rs); `row` is the stored revision's JSON.
CREATE TABLE revisions (
    resume_id uuid NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    revision bigint NOT NULL,
    row text NOT NULL,
    PRIMARY KEY (resume_id, revision)
);

-- Share links, filed under the SHA-256 of their token; the record holds
-- the token sealed (server/src/store/sealing.rs), never in clear.
CREATE TABLE shares (
    key text PRIMARY KEY,
    resume_id uuid NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    owner text NOT NULL,
    created_at timestamptz NOT NULL,
    record text NOT NULL
);
CREATE INDEX shares_by_resume ON shares (resume_id, created_at);

-- Counted views: one row per share, day and server instance, written only
-- by that instance's flusher, so views never contend on one row; a share's
-- count is the sum of its rows.
CREATE TABLE share_views (
    key text NOT NULL REFERENCES shares (key) ON DELETE CASCADE,
    day date NOT NULL,
    instance uuid NOT NULL,
    views bigint NOT NULL,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (key, day, instance)
);

-- API tokens by the SHA-256 of the token.
CREATE TABLE tokens (
    hash text PRIMARY KEY,
    record text NOT NULL
);

CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    owner text NOT NULL,
    content_hash text NOT NULL,
    created_at timestamptz NOT NULL,
    record text NOT NULL,
    CONSTRAINT jobs_one_per_content UNIQUE (owner, content_hash)
);
CREATE INDEX jobs_by_owner ON jobs (owner, created_at);

CREATE TABLE exports (
    id uuid PRIMARY KEY,
    owner text NOT NULL,
    resume_id uuid NOT NULL,
    finished boolean NOT NULL,
    created_at timestamptz NOT NULL,
    record text NOT NULL
);
CREATE INDEX exports_by_owner ON exports (owner, created_at);
CREATE INDEX exports_unfinished ON exports (created_at) WHERE NOT finished;

-- The export cache: content-addressed files, least recently used first out.
CREATE TABLE export_files (
    key text PRIMARY KEY,
    resume_id uuid NOT NULL,
    format text NOT NULL,
    size bigint NOT NULL,
    pages integer NOT NULL,
    warnings text NOT NULL,
    used_ms bigint NOT NULL,
    bytes bytea NOT NULL
);
CREATE INDEX export_files_by_resume ON export_files (resume_id);
CREATE INDEX export_files_by_use ON export_files (used_ms);

-- What each owner keeps (server/src/store/quota.rs). A write locks its
-- owner's row first (SELECT ... FOR UPDATE), so one owner's writes are
-- serialised and a quota cannot be overshot by concurrent requests.
CREATE TABLE usage (
    owner text PRIMARY KEY,
    bytes bigint NOT NULL DEFAULT 0,
    resumes bigint NOT NULL DEFAULT 0,
    revisions bigint NOT NULL DEFAULT 0,
    jobs bigint NOT NULL DEFAULT 0,
    shares bigint NOT NULL DEFAULT 0,
    exports bigint NOT NULL DEFAULT 0
);
