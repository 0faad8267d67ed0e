//! A device's Web Push subscription (the reminders' browser channel):
//! checked and kept for the person logged in on it.

use super::caller::Caller;
use super::reminders::web_push::WebPush;
use crate::store::{Store, StoreError, reminders};
use base64::Engine;
use domain::Timestamp;
use domain::api::SubscriptionBody;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// Web Push is off on this server.
    #[error("Web Push is off")]
    Off,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn decoded_len(field: &'static str, text: &str, want: usize) -> Result<Vec<u8>, PushError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| PushError::Invalid {
            field,
            message: "不是 base64url 编码 / not base64url".into(),
        })?;
    if bytes.len() != want {
        return Err(PushError::Invalid {
            field,
            message: format!("长度应为 {want} 字节 / must be {want} bytes"),
        });
    }
    Ok(bytes)
}

/// Keeps this device's subscription for the caller (replacing the
/// endpoint's earlier holder).
pub async fn subscribe(
    store: &Store,
    caller: &Caller,
    push: Option<&WebPush>,
    body: SubscriptionBody,
) -> Result<(), PushError> {
    let push = push.ok_or(PushError::Off)?;
    if !push.endpoint_allowed(&body.endpoint) {
        return Err(PushError::Invalid {
            field: "endpoint",
            message: "推送地址须为公网上的 https 网址 / the endpoint must be an https URL on the public internet".into(),
        });
    }
    let key = decoded_len("keys.p256dh", &body.keys.p256dh, 65)?;
    if key[0] != 4 {
        return Err(PushError::Invalid {
            field: "keys.p256dh",
            message: "不是未压缩的 P-256 公钥 / not an uncompressed P-256 key".into(),
        });
    }
    decoded_len("keys.auth", &body.keys.auth, 16)?;
    let sub = reminders::Subscription {
        id: super::auth::sha256_hex(body.endpoint.as_bytes()),
        person_id: caller.person_id,
        endpoint: body.endpoint,
        p256dh: body.keys.p256dh,
        auth: body.keys.auth,
    };
    reminders::save_subscription(
        store,
        &sub,
        caller.session_id,
        Timestamp::from(jiff::Timestamp::now()),
    )
    .await?;
    Ok(())
}

/// Forgets this device's subscription of `endpoint` (reminders turned off).
pub async fn unsubscribe(store: &Store, caller: &Caller, endpoint: &str) -> Result<(), PushError> {
    let id = super::auth::sha256_hex(endpoint.as_bytes());
    reminders::delete_subscription(store, &id, Some(caller.session_id)).await?;
    Ok(())
}
