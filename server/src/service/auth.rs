//! Log-in, log-out and who is calling: device sessions behind opaque
//! bearer tokens (256 random bits, only their hash stored), argon2id
//! passwords, and the roles a session's person holds.

use super::caller::{Caller, Scope};
use super::password;
use crate::store::{self, Store, StoreError, people, sessions};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use domain::api::{Identity, LoginRequest, LoginResponse, ScopeView};
use domain::{DeviceSessionId, PersonId, Phone, Timestamp};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Why a log-in or a request's session was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No such session (or no token at all).
    #[error("no valid session")]
    Unauthenticated,
    /// The session was ended by log-out or revoked by an office.
    #[error("the device session was revoked")]
    Revoked,
    /// The session went unused too long, or is older than sessions may
    /// be ([`SessionLimits`]): the phone keeps its data and asks for the
    /// password again.
    #[error("the device session expired")]
    Expired,
    #[error("the account is disabled")]
    Disabled,
    /// A wrong phone number or password (the same answer for both).
    #[error("wrong phone number or password")]
    BadCredentials,
    /// The device id is another account's.
    #[error("the device id belongs to another account")]
    DeviceInUse,
    /// A field of the log-in does not read.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

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

/// How long a device session lasts (`--session-idle-secs`,
/// `--session-max-secs`): unused for `idle_secs`, or `max_secs` after its
/// log-in, it has expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_secs: i64,
    pub max_secs: i64,
}

impl Default for SessionLimits {
    /// 30 days unused, 180 days in all (`crate::config`).
    fn default() -> Self {
        SessionLimits {
            idle_secs: crate::config::DEFAULT_SESSION_IDLE_SECS,
            max_secs: crate::config::DEFAULT_SESSION_MAX_SECS,
        }
    }
}

impl SessionLimits {
    /// How often a session's `last_seen_at` is written: at most every five
    /// minutes, and often enough that a session in use never looks idle.
    fn touch_every_secs(self) -> i64 {
        (self.idle_secs / 10).clamp(1, 300)
    }

    /// Whether a session opened at `created` and last used at `last_seen`
    /// has expired at `now`.
    pub fn expired(self, created: Timestamp, last_seen: Timestamp, now: Timestamp) -> bool {
        // `last_seen` is written only every `touch_every_secs`: the idle
        // time is counted from the latest moment it may stand for
        let idle_since = last_seen.plus_seconds(self.touch_every_secs());
        now >= created.plus_seconds(self.max_secs) || now >= idle_since.plus_seconds(self.idle_secs)
    }
}

/// The caller behind a bearer token.
pub async fn caller(
    store: &Store,
    token: &str,
    limits: SessionLimits,
) -> Result<Caller, AuthError> {
    let session = sessions::by_token_hash(store, &token_hash(token))
        .await?
        .ok_or(AuthError::Unauthenticated)?;
    if session.revoked_at.is_some() {
        return Err(AuthError::Revoked);
    }
    if session.disabled_at.is_some() {
        return Err(AuthError::Disabled);
    }
    let now = Timestamp::from(jiff::Timestamp::now());
    if limits.expired(session.created_at, session.last_seen_at, now) {
        return Err(AuthError::Expired);
    }
    // a write only when the last one is old: on SQLite every UPDATE
    // takes the database's single write lock, even one that matches nothing
    let stale = now.plus_seconds(-limits.touch_every_secs());
    if session.last_seen_at < stale {
        sessions::touch(store, session.id, now, stale).await?;
    }
    Ok(Caller {
        session_id: session.id,
        account_id: session.account_id,
        person_id: session.person_id,
        device_id: session.device_id,
        scopes: session.grants.into_iter().map(scope).collect(),
    })
}

fn scope(g: sessions::Grant) -> Scope {
    Scope {
        role: g.role,
        unit_id: g.unit_id,
        unit_name: g.unit_name,
        unit_kind: g.unit_kind,
        path: g.path,
    }
}

/// The roles a person holds and the subtrees they reach.
pub async fn scopes_of(store: &Store, person: PersonId) -> Result<Vec<Scope>, StoreError> {
    Ok(sessions::grants(store, person)
        .await?
        .into_iter()
        .map(scope)
        .collect())
}

/// A person acting on the server without a device session (the demo's
/// loader, the benches): their roles as a caller, with ids made from the
/// person's.
pub async fn acting_as(store: &Store, person: PersonId) -> Result<Caller, StoreError> {
    let key = format!("acting:{person}");
    Ok(Caller {
        session_id: domain::DeviceSessionId::stable(&key),
        account_id: domain::AccountId::stable(&key),
        person_id: person,
        device_id: domain::DeviceId::stable(&key),
        scopes: scopes_of(store, person).await?,
    })
}

/// Verified against when the phone number is unknown, so both answers take
/// as long (no account probing by timing).
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("not-a-real-password").expect("argon2 works"));

/// The longest device name kept, in characters.
const DEVICE_NAME_CHARS: usize = 100;

/// Checks a log-in's fields before anything is looked up; answers its
/// phone number (the rate limit counts per number).
pub fn check_login(req: &LoginRequest) -> Result<Phone, AuthError> {
    let phone = Phone::parse(req.phone.trim()).map_err(|e| AuthError::Invalid {
        field: "phone",
        message: e.to_string(),
    })?;
    if req.password.is_empty() || req.password.chars().count() > password::MAX_LEN {
        return Err(AuthError::Invalid {
            field: "password",
            message: "请输入密码 / enter the password".into(),
        });
    }
    Ok(phone)
}

/// Logs in: checks the password (as long for an unknown number as for a
/// known one) and opens a device session.
pub async fn login(store: &Store, req: LoginRequest) -> Result<LoginResponse, AuthError> {
    let phone = check_login(&req)?;
    let device_name: String = req
        .device_name
        .trim()
        .chars()
        .take(DEVICE_NAME_CHARS)
        .collect();
    let account = people::account_by_phone(store, &phone).await?;
    let stored = account
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let password_ok = {
        let given = req.password.clone();
        tokio::task::spawn_blocking(move || password::verify(&given, &stored))
            .await
            .map_err(|e| AuthError::Internal(format!("password check: {e}")))?
    };
    let Some(account) = account.filter(|_| password_ok) else {
        return Err(AuthError::BadCredentials);
    };
    if account.disabled_at.is_some() {
        return Err(AuthError::Disabled);
    }
    // the app makes a new device id at every log-in; one that is another
    // account's is not taken over
    if sessions::device_taken(store, req.device_id, account.id).await? {
        return Err(AuthError::DeviceInUse);
    }
    let token = new_token();
    let session_id = DeviceSessionId::new_v7();
    sessions::insert(
        store,
        &sessions::NewSession {
            id: session_id,
            account_id: account.id,
            device_id: req.device_id,
            device_name: &device_name,
            token_hash: &token_hash(&token),
        },
        Timestamp::from(jiff::Timestamp::now()),
    )
    .await?;
    tracing::info!(account = %account.id, session = %session_id, "device logged in");
    let identity = identity(store, session_id, account.person_id, account.phone).await?;
    Ok(LoginResponse { token, identity })
}

/// Who holds a session, and where they hold roles.
async fn identity(
    store: &Store,
    session_id: DeviceSessionId,
    person_id: PersonId,
    phone: String,
) -> Result<Identity, AuthError> {
    let name = people::name(store, person_id).await?.unwrap_or_default();
    let scopes = scopes_of(store, person_id)
        .await?
        .into_iter()
        .map(|s| ScopeView {
            role: s.role,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            unit_kind: s.unit_kind,
        })
        .collect();
    Ok(Identity {
        session_id,
        person_id,
        name,
        phone,
        scopes,
    })
}

/// The caller's identity, as the app cached it at log-in.
pub async fn me(store: &Store, caller: &Caller) -> Result<Identity, AuthError> {
    let phone = people::account_phone(store, caller.account_id).await?;
    identity(store, caller.session_id, caller.person_id, phone).await
}

/// Ends the caller's session at once.
pub async fn logout(store: &Store, caller: &Caller) -> Result<(), AuthError> {
    store::sessions::revoke(
        store,
        caller.session_id,
        Timestamp::from(jiff::Timestamp::now()),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_expires_when_idle_or_old() {
        let limits = SessionLimits {
            idle_secs: 3_600,
            max_secs: 86_400,
        };
        let t0: Timestamp = "2026-12-05T00:00:00Z".parse().unwrap();
        let at = |s: i64| t0.plus_seconds(s);
        // in use: last seen a minute ago
        assert!(!limits.expired(t0, at(600), at(660)));
        // unused for the idle time past the last possible touch
        assert!(!limits.expired(t0, at(600), at(600 + 300 + 3_599)));
        assert!(limits.expired(t0, at(600), at(600 + 300 + 3_600)));
        // used a minute ago, but a day after its log-in
        assert!(!limits.expired(t0, at(86_340), at(86_399)));
        assert!(limits.expired(t0, at(86_340), at(86_400)));
        // short limits (the tests' servers) touch every second
        let short = SessionLimits {
            idle_secs: 2,
            max_secs: 60,
        };
        assert_eq!(short.touch_every_secs(), 1);
        assert!(!short.expired(t0, at(10), at(12)));
        assert!(short.expired(t0, at(10), at(13)));
        assert_eq!(SessionLimits::default().touch_every_secs(), 300);
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with("tj1_") && a.len() == 4 + 43, "{a}");
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
