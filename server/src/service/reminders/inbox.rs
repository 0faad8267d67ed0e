//! The app's inbox (收件箱) as a channel: sending is storing one item per
//! person and subject, read by `GET /api/v1/inbox`. It reaches everyone and
//! works in mainland China; escalations always go through it.

use super::channel::{BoxFuture, Channel, Outcome, Reach, SendError};
use super::message::Message;
use crate::store::{self, Store};
use domain::Timestamp;

pub struct Inbox {
    store: Store,
}

impl Inbox {
    pub fn new(store: Store) -> Inbox {
        Inbox { store }
    }
}

impl Channel for Inbox {
    fn name(&self) -> &'static str {
        "inbox"
    }

    fn reaches(&self, _reach: &Reach<'_>) -> bool {
        true
    }

    fn send<'a>(
        &'a self,
        reach: Reach<'a>,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<Outcome, SendError>> {
        Box::pin(async move {
            let now = Timestamp::from(jiff::Timestamp::now());
            for item in &message.items {
                let title = format!("{} · {}", item.name_zh, item.unit_name);
                let body = if item.detail_zh.is_empty() {
                    message.text_zh.clone()
                } else {
                    item.detail_zh.clone()
                };
                store::inbox::put(
                    &self.store,
                    &store::inbox::NewItem {
                        person: reach.recipient.person_id,
                        subject: &item.key,
                        kind: item.kind,
                        title: &title,
                        body: &body,
                        case_id: item.case_id,
                        unit_id: item.unit_id,
                    },
                    now,
                )
                .await
                .map_err(|e| SendError::Retry(e.to_string()))?;
            }
            Ok(Outcome::default())
        })
    }
}
