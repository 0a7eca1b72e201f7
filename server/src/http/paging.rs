//! `?limit=N&cursor=C` on the list endpoints (resumes, a resume's shares
//! and revisions, jobs), and the cursors they answer with (`next_cursor`).
//!
//! A cursor is opaque to clients: base64url (no padding) of
//! `v1:<list>:<scope tag>:<position>`, where the position is the store's
//! [`Position`] (creation time in µs and key) or revision number of the
//! page's last item, and the scope tag is a hash of the list's kind, its
//! owner and its resume, so a cursor only continues the list that handed
//! it out: one that does not decode, or comes from another list or another
//! user, is `400 invalid_cursor` telling the client to start again without
//! it. The store does the paging ([`crate::store::Page`]); this module
//! only reads and writes the query.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use vitae_common::ErrorCode;

use super::error::{HttpError, HttpResult};
use super::{quote_capped, Ctx};
use crate::store::{Page, Position};

/// Items per page when the request gives no `limit`.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest `limit` a request may ask for; more is a 400, not a
/// silently shorter page.
pub const MAX_LIMIT: usize = 1000;

/// Which list a cursor belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Resumes,
    Shares,
    Revisions,
    Jobs,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Resumes => "resumes",
            List::Shares => "shares",
            List::Revisions => "revisions",
            List::Jobs => "jobs",
        }
    }
}

/// One list of one user: its kind, its owner, and its resume (for the
/// lists that belong to one).
pub struct Scope<'a> {
    pub list: List,
    pub owner: &'a str,
    pub resume: Option<uuid::Uuid>,
}

impl Scope<'_> {
    /// Twelve hex digits of SHA-256 over the scope: enough to tell lists
    /// apart, and it names neither the owner nor the resume.
    fn tag(&self) -> String {
        let resume = self.resume.map(|id| id.to_string()).unwrap_or_default();
        let hash = crate::digest::sha256_hex(&[
            self.list.name().as_bytes(),
            b"\0",
            self.owner.as_bytes(),
            b"\0",
            resume.as_bytes(),
        ]);
        hash[..12].to_string()
    }

    /// The `next_cursor` for a page whose last item is at `position`.
    pub fn cursor(&self, position: &str) -> String {
        let text = format!("v1:{}:{}:{position}", self.list.name(), self.tag());
        URL_SAFE_NO_PAD.encode(text)
    }

    /// The position a cursor of this list holds. Anything else is
    /// `400 invalid_cursor`.
    fn position<'c>(&self, cursor: &str, decoded: &'c str) -> HttpResult<&'c str> {
        let invalid = |why: &str| {
            HttpError::new(
                ErrorCode::InvalidCursor,
                format!(
                    "cursor {} {why}; pass the next_cursor of the previous page of this same list unchanged, or leave cursor out to start from the first page",
                    quote_capped(cursor)
                ),
            )
        };
        let mut parts = decoded.splitn(4, ':');
        let (Some("v1"), Some(list), Some(tag), Some(position)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("is not a cursor this server handed out"));
        };
        if list != self.list.name() || tag != self.tag() {
            return Err(invalid("belongs to another list"));
        }
        Ok(position)
    }
}

/// The `limit` and `cursor` of a list request, checked.
pub struct Request {
    pub limit: usize,
    /// The cursor, decoded but not yet read as a position.
    cursor: Option<(String, String)>,
}

impl Request {
    /// Read `?limit=` and `?cursor=`. A limit that is not a whole number
    /// from 1 to [`MAX_LIMIT`] is `400 bad_request`; a cursor that is not
    /// base64url text `400 invalid_cursor`.
    pub fn from_query(ctx: &Ctx) -> HttpResult<Request> {
        let limit = match ctx.query("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(HttpError::bad_request(format!(
                        "limit {} is not a number of items from 1 to {MAX_LIMIT}; leave it out for {DEFAULT_LIMIT}",
                        quote_capped(raw)
                    )))
                }
            },
        };
        let cursor = match ctx.query("cursor") {
            None | Some("") => None,
            Some(raw) => {
                let decoded = URL_SAFE_NO_PAD
                    .decode(raw)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(|| {
                        HttpError::new(
                            ErrorCode::InvalidCursor,
                            format!(
                                "cursor {} is not a cursor this server handed out; pass the next_cursor of the previous page unchanged, or leave cursor out to start from the first page",
                                quote_capped(raw)
                            ),
                        )
                    })?;
                Some((raw.to_string(), decoded))
            }
        };
        Ok(Request { limit, cursor })
    }

    /// The page of a list ordered by creation ([`Position`]).
    pub fn by_creation(&self, scope: &Scope) -> HttpResult<Page<Position>> {
        let after = match &self.cursor {
            None => None,
            Some((raw, decoded)) => {
                let position = scope.position(raw, decoded)?;
                let parsed = position.split_once(':').and_then(|(at, key)| {
                    let at = at.parse::<i64>().ok()?;
                    let plain = !key.is_empty()
                        && key.len() <= 64
                        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                    plain.then(|| Position {
                        at,
                        key: key.to_string(),
                    })
                });
                Some(parsed.ok_or_else(|| damaged(raw))?)
            }
        };
        Ok(Page {
            limit: self.limit,
            after,
        })
    }

    /// The page of a list ordered by revision number.
    pub fn by_revision(&self, scope: &Scope) -> HttpResult<Page<u64>> {
        let after = match &self.cursor {
            None => None,
            Some((raw, decoded)) => {
                let position = scope.position(raw, decoded)?;
                Some(position.parse::<u64>().map_err(|_| damaged(raw))?)
            }
        };
        Ok(Page {
            limit: self.limit,
            after,
        })
    }
}

/// The text of a creation-ordered position in a cursor.
pub fn creation_position(position: &Position) -> String {
    format!("{}:{}", position.at, position.key)
}

fn damaged(raw: &str) -> HttpError {
    HttpError::new(
        ErrorCode::InvalidCursor,
        format!(
            "cursor {} was altered; pass the next_cursor of the previous page unchanged, or leave cursor out to start from the first page",
            quote_capped(raw)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(list: List, owner: &str) -> Scope<'_> {
        Scope {
            list,
            owner,
            resume: None,
        }
    }

    #[test]
    fn a_cursor_reads_back_only_in_its_own_list() {
        let alice = scope(List::Resumes, "alice");
        let cursor = alice.cursor("1700000000000000:abc-1");
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(&cursor).unwrap()).unwrap();
        assert_eq!(
            alice.position(&cursor, &decoded).unwrap(),
            "1700000000000000:abc-1"
        );
        for other in [scope(List::Resumes, "bob"), scope(List::Shares, "alice")] {
            let err = other.position(&cursor, &decoded).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidCursor);
            assert!(err.message.contains("another list"), "{}", err.message);
        }
        assert!(!decoded.contains("alice"), "the owner is not in the cursor");
    }
}
