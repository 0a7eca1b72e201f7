-- Vitae schema 2: paged lists, and per-link view history by day and form.
--
-- Paged lists (server/src/store/mod.rs, `Page`): a page is a keyset read
-- in list order from the cursor's position, (created_at, key) within the
-- list's scope, so each list gets an index in exactly that order and a
-- page reads at most `limit + 1` index entries. A share's key is compared
-- bytewise (COLLATE "C"), as the redb backend orders it and as a cursor
-- carries it; a uuid orders as its text does. These replace the indexes
-- of schema 1 that ended at created_at.
CREATE INDEX resumes_page ON resumes (owner, created_at, id);
DROP INDEX resumes_by_owner;
CREATE INDEX shares_page ON shares (resume_id, created_at, key COLLATE "C");
DROP INDEX shares_by_resume;
CREATE INDEX jobs_page ON jobs (owner, created_at, id);
DROP INDEX jobs_by_owner;

-- A link's counted views: one row per share and server instance, written
-- only by that instance's flusher (no hot row); a share's count is the
-- sum of its rows. Kept apart from the history below so that dropping old
-- days never lowers a count.
CREATE TABLE share_view_totals (
    key text NOT NULL REFERENCES shares (key) ON DELETE CASCADE,
    instance uuid NOT NULL,
    views bigint NOT NULL,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (key, instance)
);
INSERT INTO share_view_totals (key, instance, views, last_at)
    SELECT key, instance, SUM(views), MAX(last_at) FROM share_views GROUP BY key, instance;

-- A link's view history: views per UTC day and form (html, json, md, pdf,
-- docx), one row per share, day, form and instance, written only by that
-- instance's flusher; days older than the kept window (400 days,
-- server/src/store/views.rs) are dropped when the link is next counted.
-- Schema 1 counted views per day without their form: those stay in the
-- totals only, and the history starts here, as it does on redb.
CREATE TABLE share_view_days (
    key text NOT NULL REFERENCES shares (key) ON DELETE CASCADE,
    day date NOT NULL,
    form text NOT NULL,
    instance uuid NOT NULL,
    views bigint NOT NULL,
    PRIMARY KEY (key, day, form, instance)
);

DROP TABLE share_views;
