//! Share tokens at rest: looked up by hash, kept encrypted for the owner.
//!
//! A share token is the credential of a public link. The store files a
//! share under the SHA-256 of its token ([`super::views::share_key`]), so
//! opening `/s/{token}` is a hash lookup, like an API token's. Unlike an API
//! token, the owner must see the link again (`GET /v1/resumes/{id}/shares`,
//! the TUI, `vitae shares`), so the token is also kept, encrypted with
//! XChaCha20-Poly1305 under a key that is not in the store, with the share's
//! lookup key as associated data (a sealed token moved to another record
//! does not open). A copy of the store file alone (a backup, a stolen disk
//! image of `vitae.redb`) therefore holds no usable link.
//!
//! The key is [`KEY_FILE`] in the data dir: 32 random bytes in hex, mode
//! 0600, written at the first start like `admin.token` (temporary file,
//! fsync, rename). A backend shared by several servers (PostgreSQL) would
//! take the same 32 bytes from its configuration instead. Losing the key
//! keeps every link working (lookups need only the hash) but loses the
//! owners' view of their URLs; so a start that finds sealed tokens in the
//! store and no key file refuses, rather than make a new key that opens
//! none of them (docs/operations.md says what to do).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use super::StoreError;

/// The key file in the data dir.
pub const KEY_FILE: &str = "share.key";

/// Prefix of a sealed token: the format version, so a later cipher can sit
/// beside this one.
const SEALED_PREFIX: &str = "x1.";
const NONCE_BYTES: usize = 24;

/// Seals and opens share tokens with the data dir's key.
pub struct TokenSeal {
    cipher: XChaCha20Poly1305,
    /// Kept only to derive other keys from ([`Self::derive`]).
    key: [u8; 32],
}

impl std::fmt::Debug for TokenSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSeal(<key>)")
    }
}

impl TokenSeal {
    pub fn from_key(key: &[u8; 32]) -> TokenSeal {
        TokenSeal {
            cipher: XChaCha20Poly1305::new(Key::from_slice(key)),
            key: *key,
        }
    }

    /// A key for another `purpose` (`"vitae share-link cookie v1"`),
    /// derived from this one as HMAC-SHA256(key, purpose): one secret to
    /// keep and back up, and no two uses share a key (the derived key says
    /// nothing about the sealing key, nor about keys for other purposes).
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = crate::share_lock::hmac_sha256(&self.key);
        mac.update(purpose.as_bytes());
        let mut key = [0u8; 32];
        key.copy_from_slice(&mac.finalize().into_bytes());
        key
    }

    /// The key in `DIR/share.key`, if the file exists. A file that holds
    /// anything but 64 hex digits stops the start: it is not ours to replace.
    pub fn load(data_dir: &Path) -> Result<Option<TokenSeal>, StoreError> {
        let path = data_dir.join(KEY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::Unusable(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        let key = decode_hex_key(text.trim()).ok_or_else(|| {
            StoreError::Unusable(format!(
                "{} does not hold a share-token key (64 hex digits); restore it from the backup \
                 of this data dir (docs/operations.md, \"Share-link key\")",
                path.display()
            ))
        })?;
        Ok(Some(TokenSeal::from_key(&key)))
    }

    /// Make a new random key and write it to `DIR/share.key` (mode 0600):
    /// a temporary file, synced, renamed into place, the dir synced, so a
    /// crash leaves no file or the whole key.
    pub fn create(data_dir: &Path) -> Result<TokenSeal, StoreError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Backend(format!("no randomness for the share key: {e}")))?;
        let path = data_dir.join(KEY_FILE);
        let temporary = data_dir.join(format!("{KEY_FILE}.tmp"));
        let failed = |e: std::io::Error| {
            StoreError::Backend(format!("cannot write {}: {e}", path.display()))
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .map_err(failed)?;
        writeln!(file, "{}", crate::digest::hex(&key)).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        drop(file);
        std::fs::rename(&temporary, &path).map_err(failed)?;
        if let Ok(dir) = std::fs::File::open(data_dir) {
            let _ = dir.sync_all();
        }
        tracing::info!(path = %path.display(), "wrote the share-link key");
        Ok(TokenSeal::from_key(&key))
    }

    /// `token` encrypted, bound to the share's lookup key `aad`.
    pub fn seal(&self, token: &str, aad: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: token.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Backend("cannot seal a share token".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
        ))
    }

    /// The token [`Self::seal`] sealed under `aad`. Fails when the key is
    /// not the one it was sealed with, or the value was changed or moved.
    pub fn open(&self, sealed: &str, aad: &str) -> Result<String, StoreError> {
        let wrong = || {
            StoreError::Unusable(format!(
                "a share token in the store does not open with {KEY_FILE}: the key file is not \
                 the one this store was written with (docs/operations.md, \"Share-link key\")"
            ))
        };
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b64| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(b64)
                    .ok()
            })
            .filter(|bytes| bytes.len() > NONCE_BYTES)
            .ok_or_else(wrong)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| wrong())?;
        String::from_utf8(plain).map_err(|_| wrong())
    }
}

fn decode_hex_key(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).ok()?;
        key[i] = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_sealed_token_opens_only_with_its_key_and_its_record() {
        let seal = TokenSeal::from_key(&[7; 32]);
        let sealed = seal.seal("tok_secret", "key-a").unwrap();
        assert!(!sealed.contains("tok_secret"));
        assert_eq!(seal.open(&sealed, "key-a").unwrap(), "tok_secret");
        assert!(
            seal.open(&sealed, "key-b").is_err(),
            "moved to another record"
        );
        let other = TokenSeal::from_key(&[8; 32]);
        assert!(other.open(&sealed, "key-a").is_err(), "another key");
        assert!(seal.open("x1.AAAA", "key-a").is_err());
        assert!(seal.open("plain", "key-a").is_err());
        // A fresh nonce each time: equal tokens do not look equal.
        assert_ne!(sealed, seal.seal("tok_secret", "key-a").unwrap());
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_from_the_key() {
        let seal = TokenSeal::from_key(&[7; 32]);
        let cookie = seal.derive("vitae share-link cookie v1");
        assert_eq!(cookie, seal.derive("vitae share-link cookie v1"));
        assert_ne!(cookie, seal.derive("another purpose"));
        assert_ne!(cookie, [7; 32]);
        assert_ne!(
            cookie,
            TokenSeal::from_key(&[8; 32]).derive("vitae share-link cookie v1")
        );
    }

    #[test]
    fn the_key_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert!(TokenSeal::load(dir.path()).unwrap().is_none());
        let created = TokenSeal::create(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = TokenSeal::load(dir.path()).unwrap().expect("the key");
        let sealed = created.seal("t", "k").unwrap();
        assert_eq!(loaded.open(&sealed, "k").unwrap(), "t");
        std::fs::write(&path, "not a key\n").unwrap();
        let err = TokenSeal::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("64 hex digits"), "{err}");
    }
}
