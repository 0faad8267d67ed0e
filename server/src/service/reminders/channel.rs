//! The ways a reminder leaves the server. A channel says whom it can reach
//! and sends one recipient's message; the scheduler claims, groups and
//! records. Two are built in: a signed JSON webhook (for an SMS or
//! messaging gateway: works in mainland China) and Web Push with VAPID
//! (for browsers whose push service is reachable: not in mainland China).

use super::message::Message;
use super::recipients::Recipient;
use crate::store::reminders::Subscription;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth another try later (network, 5xx, 429).
    #[error("发送失败，稍后重试 / send failed, will retry: {0}")]
    Retry(String),
    /// Will not work however often it is tried (4xx, bad keys).
    #[error("发送被拒绝 / send refused: {0}")]
    Refused(String),
}

/// What a channel may use to reach a recipient.
pub struct Reach<'a> {
    pub recipient: &'a Recipient,
    /// The recipient's devices' push subscriptions.
    pub subscriptions: &'a [Subscription],
}

pub trait Channel: Send + Sync {
    /// Stored with each claim: `webhook`, `web_push`.
    fn name(&self) -> &'static str;

    /// Whether this recipient can be reached at all (a phone number for an
    /// SMS gateway, a subscription for Web Push).
    fn reaches(&self, reach: &Reach<'_>) -> bool;

    /// Sends the message; `Ok` once the other side accepted it.
    fn send<'a>(
        &'a self,
        reach: Reach<'a>,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<Outcome, SendError>>;
}

/// What a send did besides delivering.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Subscriptions the push service says are gone: to forget.
    pub gone: Vec<String>,
}
