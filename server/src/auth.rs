//! Who is calling: device sessions behind opaque bearer tokens, and the
//! organisation subtrees the caller's roles reach. Every sync and attachment
//! handler takes a [`Caller`] and checks each record against [`Caller::sees`].

use crate::db::{self, sessions};
use crate::error::ApiError;
use crate::state::AppState;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A new session token: 256 random bits, URL-safe. Only its hash is stored.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "tj1_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a token: lowercase hex SHA-256.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// Lowercase hex SHA-256 (tokens' stored form, attachments' names).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// A role held at a unit; the unit's subtree is what it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub role: String,
    pub unit_id: String,
    pub unit_name: String,
    /// e.g. `village` (the app's committee kind for the rules)
    pub unit_kind: String,
    /// `/root/…/unit/`
    pub path: String,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub session_id: String,
    pub account_id: String,
    pub person_id: String,
    pub device_id: String,
    pub scopes: Vec<Scope>,
}

impl Caller {
    /// Whether a unit (by its path) is inside one of the caller's subtrees.
    pub fn sees(&self, unit_path: &str) -> bool {
        self.scopes.iter().any(|s| unit_path.starts_with(&s.path))
    }

    /// Whether the caller holds a supervising role (judicial office, township
    /// leader, bureau: [`domain::Role::supervises`]) over this unit.
    pub fn supervises(&self, unit_path: &str) -> bool {
        self.scopes.iter().any(|s| {
            unit_path.starts_with(&s.path)
                && s.role
                    .parse::<domain::Role>()
                    .is_ok_and(domain::Role::supervises)
        })
    }

    /// The roots of the subtrees where the caller holds a role that `is`.
    fn roots_held_as(&self, is: fn(domain::Role) -> bool) -> Vec<&str> {
        let mut paths: Vec<&str> = self
            .scopes
            .iter()
            .filter(|s| s.role.parse::<domain::Role>().is_ok_and(is))
            .map(|s| s.path.as_str())
            .collect();
        paths.sort_unstable();
        paths.dedup();
        paths
    }

    /// The roots of the subtrees the caller supervises.
    pub fn supervised_roots(&self) -> Vec<&str> {
        self.roots_held_as(domain::Role::supervises)
    }

    /// The roots of the subtrees where the caller works in the field
    /// ([`domain::Role::works_in_the_field`]): the screening records a pull
    /// sends (an office would otherwise take in a city's year of them).
    pub fn field_roots(&self) -> Vec<&str> {
        self.roots_held_as(domain::Role::works_in_the_field)
    }

    /// The subtree roots, without those inside another (for scoped queries).
    pub fn roots(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.scopes.iter().map(|s| s.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        let all = paths.clone();
        paths.retain(|p| !all.iter().any(|q| q != p && p.starts_with(q)));
        paths
    }
}

/// The roles a person holds and the subtrees they reach.
pub async fn scopes_of(
    db: &crate::db::Db,
    person_id: &str,
) -> Result<Vec<Scope>, crate::db::DbError> {
    Ok(sessions::grants(db, person_id)
        .await?
        .into_iter()
        .map(|g| Scope {
            role: g.role,
            unit_id: g.unit_id,
            unit_name: g.unit_name,
            unit_kind: g.unit_kind,
            path: g.path,
        })
        .collect())
}

/// Sessions are touched at most this often (seconds).
const TOUCH_EVERY_SECS: i64 = 300;

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated {
                code: "unauthenticated",
            })?;
        let rows = sessions::caller_by_token_hash(&state.db, &token_hash(token)).await?;
        let session = rows
            .first()
            .map(|r| r.session.clone())
            .ok_or(ApiError::Unauthenticated {
                code: "unauthenticated",
            })?;
        if session.revoked_at.is_some() {
            return Err(ApiError::Unauthenticated { code: "revoked" });
        }
        if session.disabled_at.is_some() {
            return Err(ApiError::Unauthenticated { code: "disabled" });
        }
        // a write only when the last one is old: on SQLite every UPDATE
        // takes the database's single write lock, even one that matches nothing
        let now = jiff::Timestamp::now();
        let stale = db::timestamp_text(now - jiff::SignedDuration::from_secs(TOUCH_EVERY_SECS));
        if session.last_seen_at < stale {
            sessions::touch(&state.db, &session.id, &db::timestamp_text(now), &stale).await?;
        }
        let scopes = rows
            .into_iter()
            .filter_map(|r| {
                Some(Scope {
                    role: r.role?,
                    unit_id: r.unit_id?,
                    unit_name: r.unit_name?,
                    unit_kind: r.unit_kind?,
                    path: r.path?,
                })
            })
            .collect();
        Ok(Caller {
            session_id: session.id,
            account_id: session.account_id,
            person_id: session.person_id,
            device_id: session.device_id,
            scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with("tj1_") && a.len() == 4 + 43, "{a}");
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn roots_drop_subtrees_inside_others() {
        let scope = |p: &str| Scope {
            role: "mediator".into(),
            unit_id: p.into(),
            unit_name: p.into(),
            unit_kind: "village".into(),
            path: p.into(),
        };
        let caller = Caller {
            session_id: String::new(),
            account_id: String::new(),
            person_id: String::new(),
            device_id: String::new(),
            scopes: vec![scope("/c/t1/"), scope("/c/t1/v1/"), scope("/c/t2/v9/")],
        };
        assert_eq!(caller.roots(), ["/c/t1/", "/c/t2/v9/"]);
        assert!(caller.sees("/c/t1/v3/"));
        assert!(!caller.sees("/c/t2/v8/"));
        // a sibling whose id starts the same is not inside
        assert!(!caller.sees("/c/t10/"));
    }
}
