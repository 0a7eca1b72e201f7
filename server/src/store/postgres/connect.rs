//! The database URL, and the first connection at start, whose failure must
//! say what is wrong: an unreachable or unknown host, wrong credentials, or
//! a database that does not exist are three different fixes.
//!
//! [`DatabaseUrl`] keeps the URL as given (`postgres://user:pass@host:port/db`
//! or a libpq key=value string, both as tokio-postgres reads them) and never
//! shows its password: its `Debug` and [`DatabaseUrl::redacted`] print
//! `***` instead, so settings can be logged.
//!
//! TLS: connections are made without TLS (`NoTls`); a URL that demands it
//! (`sslmode=require`) fails at start with a message that says so. Run the
//! database on the same host or a private network, or put a TLS tunnel in
//! front of it (docs/operations.md, "PostgreSQL").

use std::error::Error as _;
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use crate::store::StoreError;

/// How long the first connection may take before the start gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A PostgreSQL connection string.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = DatabaseUrl(s.trim().to_string());
        url.0.parse::<tokio_postgres::Config>().map_err(|e| {
            format!("not a PostgreSQL URL ({e}); give postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        })?;
        Ok(url)
    }
}

impl DatabaseUrl {
    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        let text = &self.0;
        let Some(scheme_end) = text.find("://") else {
            // key=value form: hide a password=... pair.
            return text
                .split_whitespace()
                .map(|pair| {
                    if pair.starts_with("password=") {
                        "password=***"
                    } else {
                        pair
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        };
        let rest = &text[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                let user = userinfo.split(':').next().unwrap_or("");
                let hidden = if userinfo.contains(':') {
                    format!("{user}:***")
                } else {
                    user.to_string()
                };
                format!(
                    "{}{hidden}{}",
                    &text[..scheme_end + 3],
                    &text[scheme_end + 3 + at..]
                )
            }
            None => text.clone(),
        }
    }

    /// The connection settings, with a connect timeout and this program's
    /// name for `pg_stat_activity` unless the URL sets them.
    pub(super) fn config(&self) -> Result<tokio_postgres::Config, StoreError> {
        let mut config: tokio_postgres::Config = self
            .0
            .parse()
            .map_err(|e| StoreError::Unusable(format!("database URL {}: {e}", self.redacted())))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("vitae-server");
        }
        Ok(config)
    }
}

/// Open one connection and close it again, turning a failure into a
/// message that says what to fix.
pub(super) async fn check(
    config: &tokio_postgres::Config,
    url: &DatabaseUrl,
) -> Result<(), StoreError> {
    let connected = tokio::time::timeout(CONNECT_TIMEOUT * 2, config.connect(NoTls)).await;
    let error = match connected {
        Ok(Ok((client, connection))) => {
            drop(client);
            // The connection ends once the client is dropped.
            let _ = connection.await;
            return Ok(());
        }
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(StoreError::Unusable(format!(
                "cannot reach the database at {}: no answer within {} s (is the host up and \
                 PostgreSQL listening there?)",
                url.redacted(),
                (CONNECT_TIMEOUT * 2).as_secs()
            )))
        }
    };
    Err(StoreError::Unusable(explain(&error, config, url)))
}

/// What a failed first connection means, in words.
fn explain(
    error: &tokio_postgres::Error,
    config: &tokio_postgres::Config,
    url: &DatabaseUrl,
) -> String {
    let user = config.get_user().unwrap_or("(default user)");
    let database = config.get_dbname().unwrap_or(user);
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        if code == &SqlState::INVALID_PASSWORD
            || code == &SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return format!(
                "the database at {} refused the credentials of user {user:?}: wrong user name or \
                 password ({})",
                url.redacted(),
                db.message()
            );
        }
        if code == &SqlState::INVALID_CATALOG_NAME {
            return format!(
                "the database {database:?} does not exist at {} (create it first: createdb \
                 {database}; the server creates its tables itself)",
                url.redacted()
            );
        }
        return format!(
            "the database at {} refused the connection: {}",
            url.redacted(),
            db.message()
        );
    }
    let io = error
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>());
    match io {
        Some(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "cannot reach the database at {}: connection refused (is PostgreSQL running and \
             listening on that host and port?)",
            url.redacted()
        ),
        Some(io) if io.to_string().contains("lookup") => format!(
            "cannot reach the database at {}: the host name does not resolve ({io})",
            url.redacted()
        ),
        Some(io) if io.kind() == std::io::ErrorKind::TimedOut => format!(
            "cannot reach the database at {}: the connection timed out (is the host up?)",
            url.redacted()
        ),
        _ => format!(
            "cannot connect to the database at {}: {error}",
            url.redacted()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn the_password_never_shows() {
        let url: DatabaseUrl = "postgres://vitae:s3cret@db.example:5432/vitae?sslmode=disable"
            .parse()
            .unwrap();
        assert_eq!(
            url.redacted(),
            "postgres://vitae:***@db.example:5432/vitae?sslmode=disable"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        let plain: DatabaseUrl = "postgres://vitae@127.0.0.1/vitae".parse().unwrap();
        assert_eq!(plain.redacted(), "postgres://vitae@127.0.0.1/vitae");
        let pairs: DatabaseUrl = "host=/tmp user=vitae password=s3cret dbname=v"
            .parse()
            .unwrap();
        assert_eq!(
            pairs.redacted(),
            "host=/tmp user=vitae password=*** dbname=v"
        );
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
    }
}
