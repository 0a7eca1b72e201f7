//! The database URL, and the first connection at start, whose failure must
//! say what is wrong: an unreachable or unknown host, wrong credentials, a
//! database that does not exist, or a certificate that is not trusted are
//! different fixes.
//!
//! [`DatabaseUrl`] keeps the URL as given (`postgres://user:pass@host:port/db`
//! or a libpq key=value string, both as tokio-postgres reads them) and never
//! shows its password: its `Debug` and [`DatabaseUrl::redacted`] print
//! `***` instead, so settings can be logged.
//!
//! TLS ([`Tls`]): rustls, honouring libpq's `sslmode` and `sslrootcert`,
//! which this module takes out of the URL itself (tokio-postgres knows only
//! `disable`, `prefer` and `require`, and no root certificate):
//!
//! | sslmode | what the connection does |
//! |---|---|
//! | `disable` | plain TCP |
//! | `prefer` (the default) | TLS if the server offers it, else plain; the certificate is not checked |
//! | `require` | TLS or no connection; the certificate is not checked, unless `sslrootcert` is given (then as `verify-ca`) |
//! | `verify-ca` | TLS; the certificate must chain to a trusted root (`sslrootcert=FILE`, else the Mozilla roots built in) |
//! | `verify-full` | as `verify-ca`, and the certificate must name the host of the URL |
//!
//! A failed first connection is either [`StoreError::Failing`] (the
//! database is down or out of reach: `--wait-for-db` waits for it) or
//! [`StoreError::Unusable`] (credentials, an unknown database, TLS: waiting
//! would not fix it).

use std::error::Error as _;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::store::StoreError;

/// How long the first connection may take before the start gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// libpq's `sslmode`, all five of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslPolicy {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslPolicy {
    fn parse(value: &str) -> Result<SslPolicy, String> {
        Ok(match value {
            "disable" => SslPolicy::Disable,
            "prefer" => SslPolicy::Prefer,
            "require" => SslPolicy::Require,
            "verify-ca" => SslPolicy::VerifyCa,
            "verify-full" => SslPolicy::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode={other}: use disable, prefer, require, verify-ca or verify-full"
                ))
            }
        })
    }
}

/// A PostgreSQL connection string, with its TLS settings taken out.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// The URL as given (what [`Self::redacted`] shows).
    given: String,
    /// The URL without `sslmode` and `sslrootcert`, for tokio-postgres.
    rest: String,
    ssl: SslPolicy,
    root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let given = s.trim().to_string();
        let (rest, ssl, root_cert) = take_tls_settings(&given)?;
        let url = DatabaseUrl {
            given,
            rest,
            ssl: SslPolicy::parse(ssl.as_deref().unwrap_or("prefer"))?,
            root_cert: root_cert.map(PathBuf::from),
        };
        url.rest.parse::<tokio_postgres::Config>().map_err(|e| {
            format!("not a PostgreSQL URL ({e}); give postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        })?;
        Ok(url)
    }
}

impl DatabaseUrl {
    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        let text = &self.given;
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
            .rest
            .parse()
            .map_err(|e| StoreError::Unusable(format!("database URL {}: {e}", self.redacted())))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("vitae-server");
        }
        config.ssl_mode(match self.ssl {
            SslPolicy::Disable => SslMode::Disable,
            SslPolicy::Prefer => SslMode::Prefer,
            SslPolicy::Require | SslPolicy::VerifyCa | SslPolicy::VerifyFull => SslMode::Require,
        });
        Ok(config)
    }

    /// The TLS connector for this URL's `sslmode` and `sslrootcert`.
    pub(super) fn tls(&self) -> Result<Tls, StoreError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = || -> Result<Arc<rustls::RootCertStore>, StoreError> {
            let mut roots = rustls::RootCertStore::empty();
            match &self.root_cert {
                Some(path) => {
                    use rustls::pki_types::pem::PemObject;
                    let unreadable = |e: &dyn std::fmt::Display| {
                        StoreError::Unusable(format!(
                            "sslrootcert {}: {e} (give a PEM file of the CA certificate)",
                            path.display()
                        ))
                    };
                    let certs = CertificateDer::pem_file_iter(path)
                        .map_err(|e| unreadable(&e))?
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| unreadable(&e))?;
                    if certs.is_empty() {
                        return Err(unreadable(&"no certificate in the file"));
                    }
                    for cert in certs {
                        roots.add(cert).map_err(|e| unreadable(&e))?;
                    }
                }
                None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            Ok(Arc::new(roots))
        };
        let verified = |roots: Arc<rustls::RootCertStore>| -> Result<Arc<rustls::client::WebPkiServerVerifier>, StoreError> {
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| StoreError::Unusable(format!("TLS set-up: {e}")))
        };
        let verifier: Arc<dyn ServerCertVerifier> = match self.ssl {
            SslPolicy::VerifyFull => verified(roots()?)?,
            SslPolicy::VerifyCa => Arc::new(ChainOnly(verified(roots()?)?)),
            SslPolicy::Require if self.root_cert.is_some() => {
                Arc::new(ChainOnly(verified(roots()?)?))
            }
            SslPolicy::Disable | SslPolicy::Prefer | SslPolicy::Require => {
                Arc::new(Unchecked(provider.clone()))
            }
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Unusable(format!("TLS set-up: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Tls(Arc::new(config)))
    }
}

/// The URL without its `sslmode` and `sslrootcert` settings, and their
/// values: tokio-postgres refuses `verify-ca`, `verify-full` and
/// `sslrootcert`, so this module handles them itself.
fn take_tls_settings(url: &str) -> Result<(String, Option<String>, Option<String>), String> {
    let (mut mode, mut root) = (None, None);
    let mut take = |pair: &str| -> bool {
        match pair.split_once('=') {
            Some(("sslmode", value)) => {
                mode = Some(value.to_string());
                true
            }
            Some(("sslrootcert", value)) => {
                root = Some(value.to_string());
                true
            }
            _ => false,
        }
    };
    let rest = if url.contains("://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|pair| !pair.is_empty() && !take(pair))
                    .collect();
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => url.to_string(),
        }
    } else {
        url.split_whitespace()
            .filter(|pair| !take(pair))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let decode = |value: Option<String>| -> Result<Option<String>, String> {
        value
            .map(|v| percent_decode(&v).ok_or_else(|| format!("{v:?} is not a valid URL value")))
            .transpose()
    };
    Ok((rest, decode(mode)?, decode(root)?))
}

/// `%XX` escapes of a URL query value decoded (a root certificate's path
/// may hold any character).
fn percent_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `prefer` and `require` without a root certificate, as libpq does them:
/// the connection is encrypted and the handshake's signatures checked, but
/// any certificate is taken (no protection from an active attacker; use
/// `verify-full` for that).
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the certificate must chain to a trusted root; the name in
/// it is not compared with the host.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// tokio-postgres's TLS hook over tokio-rustls: one client config for
/// every connection of the pool.
#[derive(Clone)]
pub struct Tls(Arc<rustls::ClientConfig>);

impl<S> MakeTlsConnect<S> for Tls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsConnection<S>;
    type TlsConnect = TlsHandshake;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<TlsHandshake, Self::Error> {
        Ok(TlsHandshake {
            config: self.0.clone(),
            name: ServerName::try_from(domain.to_string())?,
        })
    }
}

/// One connection's handshake, to the host named in the URL.
pub struct TlsHandshake {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl<S> TlsConnect<S> for TlsHandshake
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsConnection<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TlsConnection<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let connector = tokio_rustls::TlsConnector::from(self.config);
            let stream = connector.connect(self.name, stream).await?;
            Ok(TlsConnection(stream))
        })
    }
}

/// An encrypted connection.
pub struct TlsConnection<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsConnection<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsConnection<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for TlsConnection<S> {
    /// No channel binding: SCRAM runs without it (tokio-postgres's default
    /// `channel_binding=prefer` accepts that).
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

/// Open one connection and close it again, turning a failure into a
/// message that says what to fix.
pub(super) async fn check(
    config: &tokio_postgres::Config,
    url: &DatabaseUrl,
    tls: &Tls,
) -> Result<(), StoreError> {
    let connected = tokio::time::timeout(CONNECT_TIMEOUT * 2, config.connect(tls.clone())).await;
    let error = match connected {
        Ok(Ok((client, connection))) => {
            drop(client);
            // The connection ends once the client is dropped.
            let _ = connection.await;
            return Ok(());
        }
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(StoreError::Failing(format!(
                "cannot reach the database at {}: no answer within {} s (is the host up and \
                 PostgreSQL listening there?)",
                url.redacted(),
                (CONNECT_TIMEOUT * 2).as_secs()
            )))
        }
    };
    let (message, lasting) = explain(&error, config, url);
    Err(if lasting {
        StoreError::Unusable(message)
    } else {
        StoreError::Failing(message)
    })
}

/// What a failed first connection means, in words, and whether it will
/// last (`true`: credentials, an unknown database, TLS) or may pass (the
/// database is down, starting, or out of reach).
fn explain(
    error: &tokio_postgres::Error,
    config: &tokio_postgres::Config,
    url: &DatabaseUrl,
) -> (String, bool) {
    let user = config.get_user().unwrap_or("(default user)");
    let database = config.get_dbname().unwrap_or(user);
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        if code == &SqlState::INVALID_PASSWORD
            || code == &SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            let message = format!(
                "the database at {} refused the credentials of user {user:?}: wrong user name or \
                 password ({})",
                url.redacted(),
                db.message()
            );
            return (message, true);
        }
        if code == &SqlState::INVALID_CATALOG_NAME {
            let message = format!(
                "the database {database:?} does not exist at {} (create it first: createdb \
                 {database}; the server creates its tables itself)",
                url.redacted()
            );
            return (message, true);
        }
        // 57P03 (starting up or shutting down) and 53300 (too many
        // connections) pass; anything else the server refused will not.
        let passing = code == &SqlState::CANNOT_CONNECT_NOW
            || code == &SqlState::TOO_MANY_CONNECTIONS
            || code == &SqlState::ADMIN_SHUTDOWN;
        let message = format!(
            "the database at {} refused the connection: {}",
            url.redacted(),
            db.message()
        );
        return (message, !passing);
    }
    // The whole chain: a TLS failure sits under an I/O error.
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    if chain.contains("invalid peer certificate") {
        let message = format!(
            "the database server's TLS certificate was not trusted at {} ({chain}): give the CA \
             certificate that signed it with sslrootcert=FILE in the URL, or check the host name \
             (sslmode=verify-full compares it with the certificate)",
            url.redacted()
        );
        return (message, true);
    }
    if chain.contains("server does not support TLS") {
        let message = format!(
            "the database server at {} does not offer TLS, and the URL's sslmode requires it: \
             turn on ssl in postgresql.conf, or use sslmode=prefer or disable",
            url.redacted()
        );
        return (message, true);
    }
    if chain.contains("TLS") || chain.contains("tls") {
        let message = format!(
            "the TLS handshake with the database at {} failed: {chain}",
            url.redacted()
        );
        return (message, true);
    }
    let io = error
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>());
    let message = match io {
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
    };
    (message, false)
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

    #[test]
    fn tls_settings_are_taken_out_of_the_url() {
        use super::{take_tls_settings, SslPolicy};
        let url: DatabaseUrl =
            "postgres://v:pw@db.example/v?sslmode=verify-full&sslrootcert=/etc/ca%20x.pem&application_name=a"
                .parse()
                .unwrap();
        assert_eq!(url.ssl, SslPolicy::VerifyFull);
        assert_eq!(
            url.root_cert.as_deref(),
            Some(std::path::Path::new("/etc/ca x.pem"))
        );
        assert_eq!(url.rest, "postgres://v:pw@db.example/v?application_name=a");
        assert!(url.redacted().contains("sslmode=verify-full"));
        let plain: DatabaseUrl = "postgres://v@h/v".parse().unwrap();
        assert_eq!(plain.ssl, SslPolicy::Prefer, "libpq's default");
        let pairs = take_tls_settings("host=h sslmode=verify-ca dbname=v").unwrap();
        assert_eq!(pairs.0, "host=h dbname=v");
        assert_eq!(pairs.1.as_deref(), Some("verify-ca"));
        let error = "postgres://v@h/v?sslmode=sometimes"
            .parse::<DatabaseUrl>()
            .unwrap_err();
        assert!(error.contains("verify-full"), "{error}");
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            let url: DatabaseUrl = format!("postgres://v@h/v?sslmode={mode}").parse().unwrap();
            url.tls().unwrap();
        }
        let missing: DatabaseUrl =
            "postgres://v@h/v?sslmode=verify-ca&sslrootcert=/nonexistent.pem"
                .parse()
                .unwrap();
        let error = missing.tls().err().unwrap().to_string();
        assert!(error.contains("/nonexistent.pem"), "{error}");
    }
}
