//! Several `vitae-server` instances on one PostgreSQL database, as a
//! deployment behind a load balancer runs them: the first instance makes
//! the share-link key (`share.key`), and every other one starts with a copy
//! of it in its own data dir (every instance on one database needs the same
//! key, see server/src/store/sealing.rs).

use crate::postgres::Cluster;
use crate::server::TestServer;

/// `n` instances on a fresh database of `cluster`.
pub struct Instances {
    pub servers: Vec<TestServer>,
    /// The database they share.
    pub database_url: String,
    /// The share-link key every instance gets.
    key: Vec<u8>,
    /// The data dirs of the instances after the first (the first's is its
    /// own scratch dir).
    _dirs: Vec<tempfile::TempDir>,
}

impl Instances {
    /// Start `n` (at least 1) instances with the extra `serve` flags `args`.
    pub fn start(cluster: &Cluster, n: usize, args: &[&str]) -> Instances {
        let database_url = cluster.fresh_database();
        let mut flags = vec!["--database-url", database_url.as_str()];
        flags.extend_from_slice(args);
        let first = TestServer::start_with(&flags);
        let key = std::fs::read(first.data_dir().join("share.key"))
            .expect("the first instance wrote its share-link key");
        let mut instances = Instances {
            servers: vec![first],
            database_url: database_url.clone(),
            key,
            _dirs: Vec::new(),
        };
        for _ in 1..n {
            instances.add(args);
        }
        instances
    }

    /// Start one more instance on the same database, with the extra
    /// `serve` flags `args`; answers its index.
    pub fn add(&mut self, args: &[&str]) -> usize {
        let dir = tempfile::Builder::new()
            .prefix("vitae-instance-")
            .tempdir()
            .expect("temp dir");
        let path = dir.path().join("share.key");
        std::fs::write(&path, &self.key).expect("copy the share-link key");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .expect("key file mode");
        let mut flags = vec!["--database-url", self.database_url.as_str()];
        flags.extend_from_slice(args);
        self.servers.push(TestServer::start_in(dir.path(), &flags));
        self._dirs.push(dir);
        self.servers.len() - 1
    }

    /// Instance `i`.
    pub fn get(&self, i: usize) -> &TestServer {
        &self.servers[i]
    }
}
