//! Several `vitae-server` instances on one PostgreSQL database, as behind a
//! load balancer: [`Instances::start`] makes a fresh database on the test
//! binary's shared cluster ([`crate::postgres::shared_cluster`]) and starts
//! `n` servers on it, each with a data dir of its own. The instances must
//! share the share-link key (`share.key`, which seals share tokens at rest):
//! the first instance makes it, and it is copied into the others' data dirs
//! before they start.
//!
//! Without PostgreSQL, [`Instances::start`] answers `None` after saying the
//! test skipped, unless `VITAE_REQUIRE_POSTGRES=1`, where it fails
//! ([`crate::postgres::cluster_or_skip`]).

use std::path::Path;

use crate::server::TestServer;

/// `n` servers on one database.
pub struct Instances {
    /// The servers, in start order.
    pub servers: Vec<TestServer>,
    /// The database they share.
    pub database_url: String,
    /// The data dirs of all but the first (the first's is its own).
    _dirs: Vec<tempfile::TempDir>,
}

impl Instances {
    /// Start `n` instances with the extra `serve` flags `args` on a new
    /// database; `None` (skipped) without PostgreSQL.
    pub fn start(test: &str, n: usize, args: &[&str]) -> Option<Instances> {
        let cluster = crate::postgres::cluster_or_skip(test)?;
        let database_url = cluster.fresh_database();
        let mut flags = vec!["--database-url", database_url.as_str()];
        flags.extend_from_slice(args);
        let first = TestServer::start_with(&flags);
        let key = first.data_dir().join(KEY_FILE);
        let mut servers = vec![first];
        let mut dirs = Vec::new();
        for _ in 1..n {
            let dir = tempfile::Builder::new()
                .prefix("vitae-instance-")
                .tempdir()
                .expect("temp dir");
            copy_key(&key, dir.path());
            servers.push(TestServer::start_in(dir.path(), &flags));
            dirs.push(dir);
        }
        Some(Instances {
            servers,
            database_url,
            _dirs: dirs,
        })
    }
}

/// The share-link key's file name in a data dir (the server's
/// `store::sealing::KEY_FILE`).
pub const KEY_FILE: &str = "share.key";

/// Copy the key file into `dir`, mode 0600 as the server writes it.
fn copy_key(key: &Path, dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let to = dir.join(KEY_FILE);
    std::fs::copy(key, &to)
        .unwrap_or_else(|e| panic!("copying {} into {}: {e}", key.display(), dir.display()));
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).expect("chmod key");
}
