//! Every authenticated request counts against its device session (120 at
//! once, then 10 a second) and its account (240 at once, then 20 a
//! second, however many phones it is logged in on): a 429 with
//! `Retry-After`, and other accounts untouched (docs/security.md,
//! "Sessions").

use crate::support::device::*;
use crate::support::{TestApp, TestDb};

/// `n` requests of `GET /api/v1/auth/me`, one after another: how many
/// were let through, and the `Retry-After` of the refusals.
async fn hammer(app: &TestApp, token: &str, n: usize) -> (usize, Vec<u64>) {
    let (mut ok, mut waits) = (0, Vec::new());
    for _ in 0..n {
        let res = app
            .client
            .get(app.url("/api/v1/auth/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        match res.status().as_u16() {
            200 => ok += 1,
            429 => waits.push(
                res.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap(),
            ),
            other => panic!("{other}"),
        }
    }
    (ok, waits)
}

on_both_databases! {
    async fn one_session_and_one_account_have_their_limits(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        // one session: 120 at once, then about 10 a second
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let (ok, waits) = hammer(&app, &phone.token, 150).await;
        assert!((120..145).contains(&ok), "{ok} let through");
        assert!(!waits.is_empty() && waits.iter().all(|w| *w == 1), "{waits:?}");

        // three phones of one account: 240 at once between them, although
        // each phone is under its own 120
        let phones = [login(&app, COMMUNITY_MEDIATOR).await, login(&app, COMMUNITY_MEDIATOR).await, login(&app, COMMUNITY_MEDIATOR).await];
        let mut total = 0;
        let mut refused = 0;
        for phone in &phones {
            let (ok, waits) = hammer(&app, &phone.token, 110).await;
            total += ok;
            refused += waits.len();
        }
        assert!((240..300).contains(&total), "{total} of 330 let through");
        assert_eq!(total + refused, 330);

        // another account is untouched
        let office = login(&app, JUDICIAL_OFFICE).await;
        assert_eq!(hammer(&app, &office.token, 20).await, (20, vec![]));
        drop(app);
        db.cleanup().await;
    }
}
