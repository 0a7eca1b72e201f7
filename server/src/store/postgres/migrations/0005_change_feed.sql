-- The change feed (server/src/store/postgres/changes.rs): a write to any
-- table a cached answer is built from notifies every instance, at commit,
-- on the channel `vitae_changes`; each instance's read caches then stop
-- serving what they hold. One statement-level trigger per table: a
-- transaction's repeated notifications are folded into one by PostgreSQL.
CREATE FUNCTION vitae_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vitae_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER resumes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON resumes
    FOR EACH STATEMENT EXECUTE FUNCTION vitae_notify_change();
CREATE TRIGGER revisions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON revisions
    FOR EACH STATEMENT EXECUTE FUNCTION vitae_notify_change();
CREATE TRIGGER shares_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shares
    FOR EACH STATEMENT EXECUTE FUNCTION vitae_notify_change();
CREATE TRIGGER tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION vitae_notify_change();
CREATE TRIGGER jobs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION vitae_notify_change();
