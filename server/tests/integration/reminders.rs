//! The server's reminder scheduler (docs/screening.md, "The server's
//! reminders"), on SQLite and PostgreSQL: two instances on one database
//! send each reminder once per period and channel; a failed send is taken
//! over after the lease and sent once; the webhook is signed; Web Push
//! payloads decrypt at a receiver that holds the subscription's keys
//! (RFC 8291) and carry a valid VAPID token (RFC 8292).

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::screening::{RecordIndex, ReminderState, Schedule, units_in_charge};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tiaojie_server::config::{RemindArgs, ServeArgs};
use tiaojie_server::service::reminders::Scheduler;
use tiaojie_server::store::Store;

const SECRET: &str = "a-webhook-secret-for-tests";

/// What a receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    /// What the receiver answered.
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// A local HTTP receiver standing for an SMS gateway or a push service.
/// `/hook` answers the statuses in `hook_statuses` in turn (then 200);
/// `/push/gone…` answers 410; any other path 201.
struct Receiver {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Receiver {
    async fn start(hook_statuses: Vec<u16>) -> Receiver {
        use axum::extract::State;
        use axum::http::{HeaderMap, StatusCode, Uri};
        type Shared = (Arc<Mutex<Vec<Received>>>, Arc<Mutex<Vec<u16>>>);
        async fn any(
            State((got, statuses)): State<Shared>,
            uri: Uri,
            headers: HeaderMap,
            body: axum::body::Bytes,
        ) -> StatusCode {
            let path = uri.path().to_owned();
            // the answer is chosen and recorded under one lock
            let mut got = got.lock().unwrap();
            let status = if path == "/hook" {
                let mut s = statuses.lock().unwrap();
                if s.is_empty() { 200 } else { s.remove(0) }
            } else if path.starts_with("/push/gone") {
                410
            } else {
                201
            };
            got.push(Received {
                path,
                status,
                headers: headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_lowercase(),
                            v.to_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect(),
                body: body.to_vec(),
            });
            StatusCode::from_u16(status).unwrap()
        }
        let got = Arc::new(Mutex::new(Vec::new()));
        let shared: Shared = (got.clone(), Arc::new(Mutex::new(hook_statuses)));
        let router = axum::Router::new().fallback(any).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Receiver {
            addr,
            got,
            _stop: tx,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.got.lock().unwrap())
    }
}

fn webhook_args(receiver: &Receiver) -> RemindArgs {
    RemindArgs {
        webhook_url: Some(receiver.url("/hook")),
        webhook_secret: Some(SECRET.into()),
        no_web_push: true,
        ..RemindArgs::default()
    }
}

/// 10:00 on Wednesday 2026-11-25 in China: in the sending hours.
fn wednesday() -> jiff::Timestamp {
    "2026-11-25T02:00:00Z".parse().unwrap()
}

async fn unit_of_phone(db: &Store, phone: &str) -> String {
    sqlx::query_scalar(
        "SELECT p.unit_id FROM account a JOIN person p ON p.id = a.person_id WHERE a.phone = $1",
    )
    .bind(phone)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

/// The keys of the open reminders of `unit` and the units below it, on
/// `now`, with no screening records — computed here from the units alone.
async fn expected_keys(db: &Store, unit: &str, now: jiff::Timestamp) -> HashSet<String> {
    let path: String = sqlx::query_scalar("SELECT path FROM org_unit WHERE id = $1")
        .bind(unit)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let path = domain::UnitPath::parse(&path).unwrap();
    let units = tiaojie_server::store::org::under(db, &[&path])
        .await
        .unwrap()
        .iter()
        .map(tiaojie_server::store::org::Unit::record)
        .collect::<Vec<_>>();
    let refs = units_in_charge(domain::UnitId::parse(unit).unwrap(), &units);
    let schedule = Schedule::five_ones();
    let index = RecordIndex::build(&schedule, &[], domain::dates::china_date(now));
    index
        .reminders(&refs, &[])
        .into_iter()
        .filter(|r| r.state != ReminderState::Done)
        .map(|r| r.reminder_key())
        .collect()
}

/// Checks the webhook's signature and gives its JSON.
fn verified(r: &Received) -> Value {
    let header = &r.headers["x-tiaojie-signature"];
    let (t, v1) = header.split_once(",v1=").expect("t=…,v1=…");
    let t = t.strip_prefix("t=").expect("t=");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&r.body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, want, "the signature matches the body");
    let age = jiff::Timestamp::now().as_second() - t.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "signed just now");
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body["id"].as_str(),
        Some(r.headers["x-tiaojie-delivery"].as_str())
    );
    body
}

/// (recipient phone, reminder key) of every webhook delivery.
fn delivered(got: &[Received]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in got.iter().filter(|r| r.path == "/hook") {
        let body = verified(r);
        let phone = body["message"]["recipient"]["phone"]
            .as_str()
            .unwrap()
            .to_owned();
        for item in body["message"]["items"].as_array().unwrap() {
            out.push((phone.clone(), item["key"].as_str().unwrap().to_owned()));
        }
    }
    out
}

fn keys_of(pairs: &[(String, String)], phone: &str) -> HashSet<String> {
    pairs
        .iter()
        .filter(|(p, _)| p == phone)
        .map(|(_, k)| k.clone())
        .collect()
}

on_both_databases! {
    async fn two_instances_send_each_reminder_once_per_period_and_channel(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let receiver = Receiver::start(vec![]).await;
        // a second handle on the same database, as a second server process has
        let other = Store::connect(&db.args.database_url, db.args.db_max_connections)
            .await
            .unwrap();
        let a = Scheduler::new(db.db.clone(), &webhook_args(&receiver), None).unwrap();
        let b = Scheduler::new(other.clone(), &webhook_args(&receiver), None).unwrap();
        let now = wednesday();

        let (ra, rb) = tokio::join!(a.pass(now), b.pass(now));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert_eq!(ra.open, rb.open, "both compute the same reminders");
        assert!(ra.open > 1000, "the demo city's units all owe their duties: {}", ra.open);
        assert_eq!((ra.failed, rb.failed), (0, 0));
        let got = receiver.take();
        assert_eq!(ra.sent + rb.sent, got.len(), "every send reached the gateway");
        let pairs = delivered(&got);
        let unique: HashSet<_> = pairs.iter().cloned().collect();
        assert_eq!(unique.len(), pairs.len(), "no reminder reached anyone twice");

        // the village mediator hears of the village and each of its groups
        let village = unit_of_phone(&db.db, VILLAGE_MEDIATOR).await;
        let want = expected_keys(&db.db, &village, now).await;
        assert!(want.len() > 5, "{want:?}");
        assert_eq!(keys_of(&pairs, VILLAGE_MEDIATOR), want);
        let community = unit_of_phone(&db.db, COMMUNITY_MEDIATOR).await;
        assert_eq!(keys_of(&pairs, COMMUNITY_MEDIATOR), expected_keys(&db.db, &community, now).await);
        // the township's judicial office hears of the township's own duties
        let township = unit_of_phone(&db.db, JUDICIAL_OFFICE).await;
        let office = keys_of(&pairs, JUDICIAL_OFFICE);
        assert!(!office.is_empty() && office.iter().all(|k| k.starts_with(&township)), "{office:?}");
        // people without a phone number are not sent to this channel
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reminder_notice WHERE channel = 'webhook'")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(stored as usize, pairs.len());

        // later passes in the same week, on either instance: nothing again
        let (ra, rb) = tokio::join!(a.pass(now), b.pass(now + jiff::SignedDuration::from_hours(3)));
        assert_eq!((ra.unwrap().claimed, rb.unwrap().claimed), (0, 0));
        assert!(receiver.take().is_empty());

        // next week's screening is a new period: it is sent, once
        let next_week = now + jiff::SignedDuration::from_hours(24 * 7);
        let (ra, rb) = tokio::join!(a.pass(next_week), b.pass(next_week));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        let got = receiver.take();
        let pairs = delivered(&got);
        assert_eq!(ra.sent + rb.sent, got.len());
        let unique: HashSet<_> = pairs.iter().cloned().collect();
        assert_eq!(unique.len(), pairs.len());
        let mediator = keys_of(&pairs, VILLAGE_MEDIATOR);
        assert!(mediator.iter().any(|k| k.ends_with("/group_weekly_screening/2026-W49")), "{mediator:?}");
        assert!(mediator.iter().all(|k| !k.ends_with("2026-W48")), "W48 was sent last week: {mediator:?}");
        other.close().await;
        db.cleanup().await;
    }

    async fn a_failed_send_is_taken_over_after_the_lease_and_sent_once(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        // the gateway is down for the first three messages
        let receiver = Receiver::start(vec![503, 503, 503]).await;
        let mut args = webhook_args(&receiver);
        args.remind_every_secs = 300;
        args.remind_hours = "8-21".into();
        let a = Scheduler::new(db.db.clone(), &args, None).unwrap();
        let now = wednesday();
        let first = a.pass(now).await.unwrap();
        assert_eq!(first.failed, 3, "{first:?}");
        let refused: Vec<Received> = receiver.take().into_iter().filter(|r| r.status == 503).collect();
        assert_eq!(refused.len(), 3);
        let first_got = delivered(&refused);
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reminder_notice WHERE sent_at IS NULL")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert!(unsent > 0);

        // within the lease nobody touches the failed claims
        let soon = a.pass(now + jiff::SignedDuration::from_mins(5)).await.unwrap();
        assert_eq!(soon.claimed, 0);
        assert!(receiver.take().is_empty());

        // after it, a pass (here another instance) takes them over
        let b = Scheduler::new(db.db.clone(), &args, None).unwrap();
        let later = b.pass(now + jiff::SignedDuration::from_mins(11)).await.unwrap();
        assert_eq!((later.failed, later.sent), (0, 3), "{later:?}");
        let retried = delivered(&receiver.take());
        let unsent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reminder_notice WHERE sent_at IS NULL")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(unsent, 0);
        let attempts: i64 = sqlx::query_scalar("SELECT MAX(attempts) FROM reminder_notice")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(attempts, 2);
        // what failed is exactly what was retried: every reminder reached its recipient
        let failed_keys: HashSet<_> = first_got.iter().cloned().collect();
        let retried_keys: HashSet<_> = retried.iter().cloned().collect();
        assert_eq!(failed_keys, retried_keys);
        // outside the sending hours (23:00 in China) nothing is claimed
        let night = b.pass("2026-12-02T15:00:00Z".parse().unwrap()).await.unwrap();
        assert!(night.quiet && night.claimed == 0 && night.open > 0, "{night:?}");
        let runs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reminder_run")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
        assert_eq!(runs, 4);
        db.cleanup().await;
    }

    async fn web_push_reaches_a_subscribed_device_encrypted_and_signed(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let receiver = Receiver::start(vec![]).await;
        let remind = RemindArgs {
            push_allow_http_endpoints: true,
            push_subject: "mailto:ops@tiaojie.example".into(),
            ..RemindArgs::default()
        };
        let app = TestApp::spawn_with_args(&db, ServeArgs { remind: remind.clone(), ..ServeArgs::default() }).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let gone_phone = login(&app, COMMUNITY_MEDIATOR).await;
        let key: Value = app.client.get(app.url("/api/v1/push/key")).bearer_auth(&phone.token)
            .send().await.unwrap().json().await.unwrap();
        let server_key = URL_SAFE_NO_PAD.decode(key["public_key"].as_str().unwrap()).unwrap();
        assert_eq!(server_key.len(), 65);

        // the browser's side of the subscription: a P-256 key pair and a secret
        let ua_secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        let ua_public = ua_secret.public_key().to_sec1_bytes(); // uncompressed, 65 bytes
        let auth: [u8; 16] = *b"0123456789abcdef";
        let subscription = |endpoint: String| json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {"p256dh": URL_SAFE_NO_PAD.encode(&ua_public), "auth": URL_SAFE_NO_PAD.encode(auth)},
        });
        let put = |device: &Device, body: Value| {
            app.client.put(app.url("/api/v1/push/subscription")).bearer_auth(&device.token).json(&body).send()
        };
        // bad subscriptions are refused with their field, nothing stored
        let mut short = subscription(receiver.url("/push/phone"));
        short["keys"]["auth"] = json!("AAAA");
        let res = put(&phone, short).await.unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.json::<Value>().await.unwrap()["field"], "keys.auth");
        let mut extra = subscription(receiver.url("/push/phone"));
        extra["unexpected"] = json!(1);
        assert_eq!(put(&phone, extra).await.unwrap().status(), 400);
        let mut ftp = subscription(receiver.url("/push/phone"));
        ftp["endpoint"] = json!("ftp://127.0.0.1/push");
        assert_eq!(put(&phone, ftp).await.unwrap().status(), 422);
        assert_eq!(count(&db, "push_subscription").await, 0);

        assert_eq!(put(&phone, subscription(receiver.url("/push/phone"))).await.unwrap().status(), 204);
        // a second device whose push service says the subscription is gone
        assert_eq!(put(&gone_phone, subscription(receiver.url("/push/gone"))).await.unwrap().status(), 204);
        assert_eq!(count(&db, "push_subscription").await, 2);

        // the scheduler of another instance, sharing the database's VAPID key
        let push = tiaojie_server::service::reminders::web_push_channel(&db.db, &remind).await.unwrap();
        let scheduler = Scheduler::new(db.db.clone(), &remind, push).unwrap();
        let report = scheduler.pass(wednesday()).await.unwrap();
        assert_eq!((report.sent, report.failed), (2, 0), "{report:?}");
        let got = receiver.take();
        let to_phone: Vec<&Received> = got.iter().filter(|r| r.path == "/push/phone").collect();
        assert_eq!(to_phone.len(), 1, "one message with all of the mediator's reminders");
        let r = to_phone[0];
        assert_eq!(r.headers["content-encoding"], "aes128gcm");
        assert!(r.headers["ttl"].parse::<u32>().unwrap() > 0);

        // VAPID (RFC 8292): a JWT for this push service's origin, signed by the server's key
        let vapid = &r.headers["authorization"];
        let (token, k) = vapid
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .expect("vapid t=…, k=…");
        assert_eq!(URL_SAFE_NO_PAD.decode(k).unwrap(), server_key);
        let claims = verify_es256(token, &server_key);
        assert_eq!(claims["aud"], format!("http://{}", receiver.addr));
        assert_eq!(claims["sub"], "mailto:ops@tiaojie.example");
        let exp = claims["exp"].as_i64().unwrap();
        let now = jiff::Timestamp::now().as_second();
        assert!(exp > now && exp <= now + 24 * 3600, "exp within a day: {exp}");

        // RFC 8291: only the holder of the subscription's keys reads it
        let plain = decrypt_aes128gcm(&r.body, &ua_secret, &auth);
        let shown: Value = serde_json::from_slice(&plain).unwrap();
        let want = expected_keys(&db.db, &phone.unit_id.to_string(), wednesday()).await;
        assert_eq!(shown["tag"], "tiaojie-reminders");
        assert_eq!(
            (shown["due"].as_u64().unwrap() + shown["overdue"].as_u64().unwrap()) as usize,
            want.len()
        );
        assert!(shown["body"].as_str().unwrap().starts_with("【调解通】排查提醒"), "{shown}");
        let wrong = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        assert!(try_decrypt(&r.body, &wrong, &auth).is_none(), "another key cannot read it");

        // the gone subscription is forgotten; the stored claims say what was sent
        assert_eq!(count(&db, "push_subscription").await, 1);
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reminder_notice WHERE channel = 'web_push' AND sent_at IS NOT NULL",
        )
        .fetch_one(db.db.pool())
        .await
        .unwrap();
        assert_eq!(sent as usize, want.len() + expected_keys(&db.db, &gone_phone.unit_id.to_string(), wednesday()).await.len());
        // and the same pass again sends nothing
        assert_eq!(scheduler.pass(wednesday()).await.unwrap().claimed, 0);

        // the device withdraws its subscription
        let res = app.client.delete(app.url("/api/v1/push/subscription")).bearer_auth(&phone.token)
            .json(&json!({"endpoint": receiver.url("/push/phone")})).send().await.unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(count(&db, "push_subscription").await, 0);
        drop(app);
        db.cleanup().await;
    }

    async fn a_push_endpoint_on_a_local_address_is_refused(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let put = |endpoint: &str| app.client.put(app.url("/api/v1/push/subscription")).bearer_auth(&phone.token)
            .json(&json!({"endpoint": endpoint, "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "auth": "tBHItJI5svbpez7KI4CCXg"}}))
            .send();
        // the server's own loopback, the cloud's metadata service, the office network
        for local in ["https://127.0.0.1:9443/push", "https://169.254.169.254/latest", "https://[::1]/push", "https://192.168.1.10/push", "https://localhost/push"] {
            let res = put(local).await.unwrap();
            assert_eq!(res.status(), 422, "{local}");
            assert_eq!(res.json::<Value>().await.unwrap()["field"], "endpoint");
        }
        assert_eq!(count(&db, "push_subscription").await, 0);
        assert_eq!(put("https://fcm.googleapis.com/fcm/send/abc").await.unwrap().status(), 204);
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn a_high_risk_case_reaches_the_township_and_the_city_at_once_and_once(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let receiver = Receiver::start(vec![]).await;
        // no periodic passes: only the push itself can wake the escalation
        let remind = webhook_args(&receiver);
        assert_eq!(remind.remind_every_secs, 0);
        let app = TestApp::spawn_with_args(&db, ServeArgs { remind, ..ServeArgs::default() }).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let other_township = login(&app, COMMUNITY_MEDIATOR).await;
        let case = open_case(&phone, 7, domain::case::RiskLevel::High);
        let answer = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        assert_eq!(answer.results[0].status, domain::sync::Status::Applied, "{:?}", answer.results[0]);

        // the township's judicial office sees it in its inbox without syncing
        let mut got = inbox(&app, &office).await;
        for _ in 0..100 {
            if !got.items.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            got = inbox(&app, &office).await;
        }
        assert_eq!(got.unread, 1, "{got:?}");
        let item = &got.items[0];
        assert_eq!(item.kind, "escalation");
        assert_eq!(item.case_id.map(|c| c.to_string()).as_deref(), case["id"].as_str());
        assert_eq!(item.unit_id, phone.unit_id);
        assert!(item.title.starts_with("高风险纠纷"), "{item:?}");
        for party in case["parties"].as_array().unwrap() {
            let name = party["name"].as_str().unwrap();
            assert!(!item.body.contains(name) && !item.title.contains(name), "no party names: {item:?}");
        }
        // so does the city (its item is written beside the office's, by
        // another send of the same escalation: wait for it the same way);
        // a mediator is not a supervisor, another township is not told
        let mut city = inbox(&app, &bureau).await;
        for _ in 0..100 {
            if !city.items.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            city = inbox(&app, &bureau).await;
        }
        assert_eq!(city.unread, 1);
        assert_eq!(inbox(&app, &phone).await.unread, 0);
        assert_eq!(inbox(&app, &other_township).await.unread, 0);

        // and the gateway was asked to text the judicial office (staff and
        // director) and the bureau, each once
        let mut texts = receiver.take();
        for _ in 0..100 {
            if texts.len() >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            texts.extend(receiver.take());
        }
        let mut phones: Vec<String> = texts
            .iter()
            .map(|r| verified(r)["message"]["recipient"]["phone"].as_str().unwrap().to_owned())
            .collect();
        phones.sort();
        assert_eq!(phones, ["13900000002", "13900000003", BUREAU]);
        let body = verified(&texts[0]);
        assert!(body["message"]["text_zh"].as_str().unwrap().contains("高风险纠纷上报"), "{body}");

        // an edit of the same case, still high risk, tells nobody again
        let mut edited = case.clone();
        edited["place"] = json!("村委会调解室");
        let again = push(&app, &phone, vec![mutation(&phone, "upsert", &edited, 1)]).await;
        assert_ne!(again.results[0].status, domain::sync::Status::Rejected, "{:?}", again.results[0]);
        // a second high-risk case is a new escalation, proving the wake-up ran after the edit
        let second = open_case(&phone, 8, domain::case::RiskLevel::High);
        assert_ne!(second["id"], case["id"]);
        push(&app, &phone, vec![mutation(&phone, "upsert", &second, 0)]).await;
        let mut after = inbox(&app, &office).await;
        for _ in 0..100 {
            if after.items.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            after = inbox(&app, &office).await;
        }
        assert_eq!(after.items.len(), 2, "one item per case: {after:?}");
        assert_eq!(after.items[0].case_id.map(|c| c.to_string()).as_deref(), second["id"].as_str(), "newest first");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(receiver.take().len(), 3, "three texts for the second case only");

        // reading: only one's own items
        let read = |device: &Device, id: &str| {
            app.client.post(app.url(&format!("/api/v1/inbox/{id}/read"))).bearer_auth(&device.token).send()
        };
        assert_eq!(read(&phone, &after.items[0].id.to_string()).await.unwrap().status(), 404);
        assert_eq!(read(&office, &after.items[0].id.to_string()).await.unwrap().status(), 204);
        assert_eq!(inbox(&app, &office).await.unread, 1);
        assert_eq!(inbox(&app, &bureau).await.unread, 2, "the bureau's own items are its own");
        drop(app);
        db.cleanup().await;
    }
}

/// Verifies an ES256 JWT with an uncompressed P-256 public key; its claims.
fn verify_es256(token: &str, public: &[u8]) -> Value {
    use p256::ecdsa::signature::Verifier;
    let mut parts = token.split('.');
    let (header, payload, sig) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let head: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(head["alg"], "ES256");
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(sig).unwrap()).unwrap();
    key.verify(format!("{header}.{payload}").as_bytes(), &sig)
        .expect("the VAPID signature verifies");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn decrypt_aes128gcm(body: &[u8], ua_secret: &p256::SecretKey, auth: &[u8]) -> Vec<u8> {
    try_decrypt(body, ua_secret, auth).expect("the payload decrypts")
}

/// RFC 8291 §3–4 and RFC 8188, written here from the RFCs: the receiving
/// user agent's side.
fn try_decrypt(body: &[u8], ua_secret: &p256::SecretKey, auth: &[u8]) -> Option<Vec<u8>> {
    use aes_gcm::aead::{Aead, KeyInit};
    // header: salt (16) | record size (4) | key id length (1) | key id
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().unwrap());
    let idlen = usize::from(body[20]);
    assert_eq!(idlen, 65, "the key id is the server's ephemeral public key");
    let as_public = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    assert!(ciphertext.len() <= rs as usize, "a single record");

    let as_key = p256::PublicKey::from_sec1_bytes(as_public).ok()?;
    let shared = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_key.as_affine());
    let ua_public = ua_secret.public_key().to_sec1_bytes();
    // IKM = HKDF(auth, ecdh, "WebPush: info\0" || ua_public || as_public, 32)
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(&ua_public);
    info.extend_from_slice(as_public);
    let mut ikm = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .ok()?;
    let prk = hkdf::Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .ok()?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce).ok()?;
    let cipher = aes_gcm::Aes128Gcm::new_from_slice(&cek).ok()?;
    let mut plain = cipher
        .decrypt(aes_gcm::Nonce::from_slice(&nonce), ciphertext)
        .ok()?;
    // padding: the last record ends with 0x02, then zeros
    while plain.last() == Some(&0) {
        plain.pop();
    }
    assert_eq!(plain.pop(), Some(2), "the last record's delimiter");
    Some(plain)
}
