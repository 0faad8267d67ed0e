//! Attachments against the real server, on SQLite and PostgreSQL:
//! content-addressed, resumable after a dropped connection, stored once,
//! and reachable only through a case the caller can see (docs/sync.md).

use crate::support::device::*;
use crate::support::{TestApp, TestDb};
use domain::api::UploadStatus;
use domain::sync::Status;
use serde_json::{Value, json};
use tiaojie_server::service::auth::sha256_hex;

async fn put_piece(
    app: &TestApp,
    device: &Device,
    sha: &str,
    offset: usize,
    piece: &[u8],
) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/attachments/{sha}")))
        .bearer_auth(&device.token)
        .header("Upload-Offset", offset.to_string())
        .body(piece.to_vec())
        .send()
        .await
        .unwrap()
}

async fn get(app: &TestApp, device: &Device, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap()
}

async fn status(app: &TestApp, device: &Device, sha: &str) -> UploadStatus {
    let res = get(app, device, &format!("/api/v1/attachments/{sha}/upload")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Uploads from where the server stands, in pieces of `piece` bytes.
async fn upload(app: &TestApp, device: &Device, bytes: &[u8], piece: usize) -> UploadStatus {
    let sha = sha256_hex(bytes);
    let mut at = status(app, device, &sha).await;
    while !at.complete {
        let from = at.received as usize;
        let to = (from + piece).min(bytes.len());
        let res = put_piece(app, device, &sha, from, &bytes[from..to]).await;
        assert_eq!(res.status(), 200);
        at = res.json().await.unwrap();
    }
    at
}

async fn code_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

on_both_databases! {
    async fn a_photo_uploads_in_pieces_resumes_after_a_drop_and_is_stored_once(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let photo = photo_bytes(600_000, 1);
        let sha = sha256_hex(&photo);
        let case = case_with_photo(&phone, 7, &photo);
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case, 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied, "{:?}", r.results[0]);

        // nothing yet; the first piece lands
        let at = status(&app, &phone, &sha).await;
        assert_eq!((at.bytes, at.received, at.complete), (600_000, 0, false));
        let res = put_piece(&app, &phone, &sha, 0, &photo[..250_000]).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<UploadStatus>().await.unwrap().received, 250_000);
        // the answer was lost and the phone sends the piece again: refused,
        // and the server says where to resume
        let (status_code, body) = code_of(put_piece(&app, &phone, &sha, 0, &photo[..250_000]).await).await;
        assert_eq!((status_code, body["code"].as_str()), (409, Some("offset_mismatch")));
        assert_eq!(body["field"], "Upload-Offset");
        let at = upload(&app, &phone, &photo, 250_000).await;
        assert_eq!((at.received, at.complete), (600_000, true));
        assert_eq!(count(&db, "attachment_chunk").await, 0, "pieces are dropped once joined");

        let res = get(&app, &phone, &format!("/api/v1/attachments/{sha}")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        // parties' personal data: no browser keeps a copy past the log-out
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(res.bytes().await.unwrap().as_ref(), &photo[..]);

        // the same photo in another case: nothing to send, stored once
        let again = case_with_photo(&phone, 8, &photo);
        push(&app, &phone, vec![mutation(&phone, "upsert", &again, 0)]).await;
        assert!(status(&app, &phone, &sha).await.complete);
        let res = put_piece(&app, &phone, &sha, 0, &photo[..10]).await;
        assert!(res.json::<UploadStatus>().await.unwrap().complete);
        assert_eq!(count(&db, "attachment_blob").await, 1);
        assert_eq!(count(&db, "case_attachment").await, 2);

        // deleting the case takes its reference away; the other still holds
        push(&app, &phone, vec![mutation(&phone, "delete", &case, 1)]).await;
        assert_eq!(count(&db, "case_attachment").await, 1);
        push(&app, &phone, vec![mutation(&phone, "delete", &again, 1)]).await;
        let res = get(&app, &phone, &format!("/api/v1/attachments/{sha}")).await;
        assert_eq!(res.status(), 404, "no case of the caller refers to it any more");
        drop(app);
        db.cleanup().await;
    }

    async fn bytes_that_do_not_match_their_hash_are_refused_and_not_kept(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let photo = photo_bytes(300_000, 2);
        let sha = sha256_hex(&photo);
        push(&app, &phone, vec![mutation(&phone, "upsert", &case_with_photo(&phone, 9, &photo), 0)]).await;

        let mut bad = photo.clone();
        bad[123_456] ^= 1;
        let res = put_piece(&app, &phone, &sha, 0, &bad[..200_000]).await;
        assert_eq!(res.status(), 200);
        let (code, body) = code_of(put_piece(&app, &phone, &sha, 200_000, &bad[200_000..]).await).await;
        assert_eq!((code, body["field"].as_str()), (422, Some("body")));
        assert_eq!(count(&db, "attachment_blob").await, 0);
        assert_eq!(count(&db, "attachment_chunk").await, 0);
        assert_eq!(count(&db, "attachment_upload").await, 0);
        // the phone starts over with the right bytes
        assert_eq!(status(&app, &phone, &sha).await.received, 0);
        assert!(upload(&app, &phone, &photo, 1024 * 1024).await.complete);

        // more bytes than the case declares, an empty piece, a piece over
        // the cap, a bad offset, a bad hash, no session
        let other = photo_bytes(1_000, 3);
        let other_sha = sha256_hex(&other);
        push(&app, &phone, vec![mutation(&phone, "upsert", &case_with_photo(&phone, 10, &other), 0)]).await;
        let (code, body) = code_of(put_piece(&app, &phone, &other_sha, 0, &photo_bytes(1_001, 3)).await).await;
        assert_eq!((code, body["field"].as_str()), (422, Some("body")));
        let (code, _) = code_of(put_piece(&app, &phone, &other_sha, 0, &[]).await).await;
        assert_eq!(code, 400);
        let res = put_piece(&app, &phone, &other_sha, 0, &vec![0u8; 1024 * 1024 + 1]).await;
        assert_eq!(res.status(), 413);
        let res = app.client.put(app.url(&format!("/api/v1/attachments/{other_sha}")))
            .bearer_auth(&phone.token).header("Upload-Offset", "-1").body(other.clone()).send().await.unwrap();
        let (code, body) = code_of(res).await;
        assert_eq!((code, body["field"].as_str()), (400, Some("Upload-Offset")));
        let (code, body) = code_of(get(&app, &phone, "/api/v1/attachments/ABC/upload").await).await;
        assert_eq!((code, body["field"].as_str()), (400, Some("sha256")));
        let res = app.client.get(app.url(&format!("/api/v1/attachments/{other_sha}/upload"))).send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(count(&db, "attachment_chunk").await, 0, "nothing stored half-way");
        // a case whose photo is not a photo is refused at push
        let mut html = case_with_photo(&phone, 11, &other);
        html["attachments"][0]["content_type"] = json!("text/html");
        let r = push(&app, &phone, vec![mutation(&phone, "upsert", &html, 0)]).await;
        assert_eq!(r.results[0].field.as_deref(), Some("payload.attachments[0].content_type"));
        drop(app);
        db.cleanup().await;
    }

    async fn only_callers_who_see_the_case_reach_its_photos(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let village = login(&app, VILLAGE_MEDIATOR).await;
        let community = login(&app, COMMUNITY_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let bureau = login(&app, BUREAU).await;
        let photo = photo_bytes(50_000, 4);
        let sha = sha256_hex(&photo);
        let path = format!("/api/v1/attachments/{sha}");
        let upload_path = format!("/api/v1/attachments/{sha}/upload");
        push(&app, &village, vec![mutation(&village, "upsert", &case_with_photo(&village, 12, &photo), 0)]).await;

        // before the bytes arrive, another committee can neither ask nor send
        assert_eq!(get(&app, &community, &upload_path).await.status(), 404);
        assert_eq!(put_piece(&app, &community, &sha, 0, &photo).await.status(), 404);
        assert_eq!(count(&db, "attachment_chunk").await, 0);
        assert!(upload(&app, &village, &photo, 20_000).await.complete);

        // role × unit over every attachment endpoint: the offices above
        // read it, but send nothing (they do not record cases)
        let expect = [
            (&village, "village mediator", 200, 200),
            (&office, "township judicial office", 200, 404),
            (&bureau, "city bureau", 200, 404),
            (&community, "another committee", 404, 404),
        ];
        for (device, who, read, send) in expect {
            assert_eq!(get(&app, device, &path).await.status(), read, "{who}: GET content");
            assert_eq!(get(&app, device, &upload_path).await.status(), read, "{who}: GET upload");
            assert_eq!(put_piece(&app, device, &sha, 0, &photo).await.status(), send, "{who}: PUT");
        }
        let res = get(&app, &community, &path).await;
        assert_eq!(code_of(res).await.1["code"], "not_found");
        drop(app);
        db.cleanup().await;
    }

    async fn a_photos_hash_alone_reads_nothing_and_jams_no_upload(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let owner = login(&app, VILLAGE_MEDIATOR).await;
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        let photo = photo_bytes(80_000, 5);
        let sha = sha256_hex(&photo);
        let path = format!("/api/v1/attachments/{sha}");

        // another committee's mediator learns the hash before the bytes
        // arrive, names it in a case of their own and sends garbage first
        let r = push(&app, &other, vec![mutation(&other, "upsert", &case_with_photo(&other, 20, &photo), 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied);
        let r = push(&app, &owner, vec![mutation(&owner, "upsert", &case_with_photo(&owner, 21, &photo), 0)]).await;
        assert_eq!(r.results[0].status, Status::Applied);
        let garbage = photo_bytes(80_000, 6);
        assert_eq!(put_piece(&app, &other, &sha, 0, &garbage[..40_000]).await.status(), 200);
        // the owner's upload is their own: it starts at 0 and completes
        assert_eq!(status(&app, &owner, &sha).await.received, 0);
        assert!(upload(&app, &owner, &photo, 30_000).await.complete);
        assert_eq!(get(&app, &owner, &path).await.bytes().await.unwrap().as_ref(), &photo[..]);

        // the hash named in their own case reads nothing
        // (the same answer as for a hash nothing names)
        let nowhere = format!("/api/v1/attachments/{}", sha256_hex(b"nothing names this"));
        let unknown = code_of(get(&app, &other, &nowhere).await).await;
        assert_eq!(unknown.0, 404);
        assert_eq!(code_of(get(&app, &other, &path).await).await, unknown);
        let at = status(&app, &other, &sha).await;
        assert_eq!((at.received, at.complete), (40_000, false), "only their own garbage");
        // nor does finishing the garbage: refused, nothing stored for them
        let (code, body) = code_of(put_piece(&app, &other, &sha, 40_000, &garbage[40_000..]).await).await;
        assert_eq!((code, body["field"].as_str()), (422, Some("body")));
        assert_eq!(get(&app, &other, &path).await.status(), 404);
        assert_eq!(count(&db, "attachment_blob").await, 1);

        // whoever really has the bytes proves it by sending them: checked,
        // not stored twice, and readable from then on
        assert_eq!(status(&app, &other, &sha).await.received, 0);
        assert!(upload(&app, &other, &photo, 50_000).await.complete);
        assert_eq!(get(&app, &other, &path).await.status(), 200);
        assert_eq!(count(&db, "attachment_blob").await, 1);
        assert_eq!(count(&db, "attachment_chunk").await, 0);
        drop(app);
        db.cleanup().await;
    }

    async fn photos_stored_before_the_backing_stay_readable_after_the_migration(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let app = TestApp::spawn(&db).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let office = login(&app, JUDICIAL_OFFICE).await;
        let photo = photo_bytes(20_000, 7);
        let sha = sha256_hex(&photo);
        let path = format!("/api/v1/attachments/{sha}");
        push(&app, &phone, vec![mutation(&phone, "upsert", &case_with_photo(&phone, 30, &photo), 0)]).await;
        assert!(upload(&app, &phone, &photo, 20_000).await.complete);
        // the database as it was before the migration: stored, not backed
        sqlx::query("DELETE FROM attachment_holder").execute(db.db.pool()).await.unwrap();
        assert_eq!(get(&app, &office, &path).await.status(), 404, "a content must be backed to be read");
        // the migration's own statements back it for the records naming it
        let folder = match db.kind() {
            crate::support::Kind::Sqlite => "sqlite",
            crate::support::Kind::Postgres => "postgres",
        };
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations").join(folder).join("20261205000002_attachment_holder.sql");
        let text = std::fs::read_to_string(file).unwrap();
        let fills: Vec<&str> = text.split(';').filter(|s| s.contains("INSERT INTO attachment_holder")).collect();
        assert_eq!(fills.len(), 2, "cases and screening records");
        for fill in fills {
            sqlx::query(fill).execute(db.db.pool()).await.unwrap();
        }
        assert_eq!(get(&app, &office, &path).await.status(), 200);
        assert!(status(&app, &phone, &sha).await.complete);
        drop(app);
        db.cleanup().await;
    }
}

on_both_databases! {
    async fn an_accounts_photos_stop_at_its_quota_and_the_phone_is_told_why(db: TestDb) {
        tiaojie_server::demo::load(&db.db).await.unwrap();
        let args = tiaojie_server::config::ServeArgs { photo_quota_mib: 1, ..Default::default() };
        let app = TestApp::spawn_with_args(&db, args).await;
        let phone = login(&app, VILLAGE_MEDIATOR).await;
        let head = login(&app, "13900000001").await;
        let other = login(&app, COMMUNITY_MEDIATOR).await;
        let (first, second) = (photo_bytes(600_000, 21), photo_bytes(600_000, 22));
        for (seed, photo) in [(41, &first), (42, &second)] {
            let r = push(&app, &phone, vec![mutation(&phone, "upsert", &case_with_photo(&phone, seed, photo), 0)]).await;
            assert_eq!(r.results[0].status, Status::Applied);
        }
        assert!(upload(&app, &phone, &first, 200_000).await.complete);
        // the second goes over 1 MiB on its third piece: refused, saying why
        let sha = sha256_hex(&second);
        for at in [0, 200_000] {
            assert_eq!(put_piece(&app, &phone, &sha, at, &second[at..at + 200_000]).await.status(), 200);
        }
        let (code, body) = code_of(put_piece(&app, &phone, &sha, 400_000, &second[400_000..]).await).await;
        assert_eq!((code, body["code"].as_str()), (413, Some("quota_exceeded")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("照片存储已满"), "{body}");
        assert_eq!(status(&app, &phone, &sha).await.received, 400_000, "nothing of the refused piece kept");
        // the quota is the account's: on another phone of it, the same;
        // another account of the committee sends the photo whole
        let (code, _) = code_of(put_piece(&app, &head, &sha, 0, &second[..200_000]).await).await;
        assert_eq!(code, 200, "the head's own upload starts");
        assert!(upload(&app, &head, &second, 200_000).await.complete);
        assert!(status(&app, &phone, &sha).await.complete, "stored: the phone need not send it");
        // the phone's 400,000 bytes of it no longer count: a third photo
        // of 300,000 fits beside the first (900,000 of 1 MiB)
        let third = photo_bytes(300_000, 24);
        push(&app, &phone, vec![mutation(&phone, "upsert", &case_with_photo(&phone, 44, &third), 0)]).await;
        assert!(upload(&app, &phone, &third, 200_000).await.complete);
        // another committee's account is not held up by this one's photos
        let theirs = photo_bytes(300_000, 23);
        push(&app, &other, vec![mutation(&other, "upsert", &case_with_photo(&other, 43, &theirs), 0)]).await;
        assert!(upload(&app, &other, &theirs, 200_000).await.complete);
        drop(app);
        db.cleanup().await;
    }
}
