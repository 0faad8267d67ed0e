//! The signed JSON webhook (for an SMS or messaging gateway): one `POST`
//! per recipient and pass, with the body signed by HMAC-SHA256 over
//! `"{timestamp}.{body}"` with the shared secret, in the header
//! `X-Tiaojie-Signature: t=<unix seconds>,v1=<hex>`, and an idempotency key
//! in `X-Tiaojie-Delivery` (the same for a retry of the same message).

use super::channel::{BoxFuture, Channel, Outcome, Reach, SendError};
use super::message::Message;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

pub const SIGNATURE_HEADER: &str = "X-Tiaojie-Signature";
pub const DELIVERY_HEADER: &str = "X-Tiaojie-Delivery";

pub struct Webhook {
    url: String,
    secret: String,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(url: String, secret: String) -> anyhow::Result<Webhook> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            anyhow::bail!("webhook URL must be http(s)://…: {url}");
        }
        if secret.len() < 16 {
            anyhow::bail!("webhook secret must be at least 16 characters");
        }
        Ok(Webhook {
            url,
            secret,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()?,
        })
    }
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`.
pub fn signature(secret: &str, unix: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(unix.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={unix},v1={hex}")
}

/// The same message (recipient and reminder keys) gets the same key.
pub fn delivery_id(message: &Message) -> String {
    let mut keys: Vec<&str> = message.items.iter().map(|i| i.key.as_str()).collect();
    keys.sort_unstable();
    let basis = format!("{}|{}", message.recipient.person_id, keys.join("|"));
    crate::service::auth::sha256_hex(basis.as_bytes())[..32].to_owned()
}

impl Channel for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn reaches(&self, reach: &Reach<'_>) -> bool {
        reach.recipient.phone.is_some()
    }

    fn send<'a>(
        &'a self,
        _reach: Reach<'a>,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<Outcome, SendError>> {
        Box::pin(async move {
            let body = serde_json::json!({
                "id": delivery_id(message),
                "kind": "reminders",
                "message": message,
            });
            let body = serde_json::to_vec(&body).map_err(|e| SendError::Refused(e.to_string()))?;
            let now = jiff::Timestamp::now().as_second();
            let res = self
                .client
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header(DELIVERY_HEADER, delivery_id(message))
                .header(SIGNATURE_HEADER, signature(&self.secret, now, &body))
                .body(body)
                .send()
                .await
                .map_err(|e| SendError::Retry(e.to_string()))?;
            let status = res.status();
            if status.is_success() {
                Ok(Outcome::default())
            } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                Err(SendError::Retry(format!("HTTP {status}")))
            } else {
                Err(SendError::Refused(format!("HTTP {status}")))
            }
        })
    }
}
