//! The local store in a real browser: IndexedDB in headless Chromium
//! (wasm-bindgen-test). Run by scripts/test.sh:
//! `cargo test -p app --target wasm32-unknown-unknown --no-default-features --features hydrate --tests`.
#![cfg(all(target_arch = "wasm32", feature = "hydrate"))]

use app::idb::{CURRENT_VERSION, Draft, LocalStore, OutboxEntry, OutboxOp};
use domain::case::Case;
use domain::{CaseId, PersonId, UnitId};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_name() -> String {
    format!("tiaojie-test-{}", uuid::Uuid::now_v7())
}

/// The shared sample oral agreement (`domain::testing`), with this
/// test's summary, id and time.
fn oral_case(summary: &str) -> Case {
    Case {
        id: CaseId::stable("store-test"),
        summary: summary.into(),
        amount_involved: Some("1200.50".parse().unwrap()),
        seq: Some(1),
        updated_at: Some("2024-05-10T08:00:00+08:00".parse().unwrap()),
        ..domain::testing::oral_case()
    }
}

fn entry(case: &Case) -> OutboxEntry {
    OutboxEntry::new(
        "case",
        &case.id.to_string(),
        OutboxOp::Upsert,
        case.version,
        "2024-05-10T08:00:00.000000Z".parse().unwrap(),
    )
}

#[wasm_bindgen_test]
async fn a_saved_case_reads_back_whole_and_waits_in_the_outbox() {
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let case = oral_case("排水沟纠纷");
    let e = entry(&case);
    store.save_case(&case, &e).await.unwrap();

    assert_eq!(
        store.case(&case.id.to_string()).await.unwrap(),
        Some(case.clone())
    );
    assert_eq!(store.cases().await.unwrap(), vec![case]);
    assert_eq!(store.pending_count().await.unwrap(), 1);
    assert_eq!(store.pending().await.unwrap(), vec![e.clone()]);

    store.acknowledge(&[e.mutation_id]).await.unwrap();
    assert_eq!(store.pending_count().await.unwrap(), 0);
    store.close();
}

#[wasm_bindgen_test]
async fn a_failed_save_stores_nothing_half_way() {
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let first = oral_case("第一次");
    let e = entry(&first);
    store.save_case(&first, &e).await.unwrap();

    // the same mutation id again: the outbox refuses it, so the case write is rolled back too
    let edited = oral_case("改过的");
    assert!(store.save_case(&edited, &e).await.is_err());
    let stored = store.case(&first.id.to_string()).await.unwrap().unwrap();
    assert_eq!(stored.summary, "第一次");
    assert_eq!(store.pending_count().await.unwrap(), 1);
    store.close();
}

#[wasm_bindgen_test]
async fn a_draft_survives_closing_the_database() {
    let name = fresh_name();
    let store = LocalStore::open_named(&name, CURRENT_VERSION)
        .await
        .unwrap();
    let draft = Draft {
        key: "oral-agreement:new".into(),
        json: r#"{"summary":"写到一半"}"#.into(),
        saved_at: "2024-05-10T08:00:00Z".parse().unwrap(),
    };
    store.save_draft(&draft).await.unwrap();
    store.close();

    let reopened = LocalStore::open_named(&name, CURRENT_VERSION)
        .await
        .unwrap();
    assert_eq!(
        reopened.draft("oral-agreement:new").await.unwrap(),
        Some(draft)
    );
    reopened.discard_draft("oral-agreement:new").await.unwrap();
    assert_eq!(reopened.draft("oral-agreement:new").await.unwrap(), None);
    reopened.close();
}

#[wasm_bindgen_test]
async fn every_older_schema_upgrades_to_the_current_one_keeping_its_drafts() {
    // (the end-to-end test opens a database written by the first release's
    // own code; here every step runs from every older version)
    for old in 1..CURRENT_VERSION {
        let name = fresh_name();
        let store = LocalStore::open_named(&name, old).await.unwrap();
        assert_eq!(store.version(), old);
        let draft = Draft {
            key: "case-form:oral".into(),
            json: r#"{"summary":"升级前的草稿"}"#.into(),
            saved_at: "2024-05-10T08:00:00Z".parse().unwrap(),
        };
        store.save_draft(&draft).await.unwrap();
        store.close();

        let upgraded = LocalStore::open_named(&name, CURRENT_VERSION)
            .await
            .unwrap();
        assert_eq!(upgraded.version(), CURRENT_VERSION);
        assert_eq!(upgraded.draft("case-form:oral").await.unwrap(), Some(draft));
        // the stores the new version added work
        let case = oral_case("升级后的记录");
        upgraded.save_case(&case, &entry(&case)).await.unwrap();
        assert!(upgraded.units().await.unwrap().is_empty());
        upgraded.close();
    }
}

#[wasm_bindgen_test]
async fn a_change_keeps_the_version_it_replaces() {
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let first = oral_case("第一稿");
    store.save_case(&first, &entry(&first)).await.unwrap();
    assert!(
        store
            .history(&first.id.to_string())
            .await
            .unwrap()
            .is_empty()
    );
    let mut second = first.clone();
    second.summary = "第二稿".into();
    let e = entry(&second);
    store.save_case(&second, &e).await.unwrap();
    let history = store.history(&first.id.to_string()).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].case, first);
    assert_eq!(history[0].mutation_id, e.mutation_id);
    store.close();
}

#[wasm_bindgen_test]
async fn export_then_import_elsewhere_brings_everything_back_once() {
    use app::idb::{NewAttachment, PhotoOwner};
    let here = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let mut case = oral_case("要导出的记录");
    case.attachments.push(domain::attachment::AttachmentRef {
        id: "photo-1".into(),
        form: None,
        taken_at: "2024-05-10T09:00:00+08:00".parse().unwrap(),
        position: None,
        bytes: 3,
        content_type: "image/jpeg".into(),
        sha256: None,
    });
    let bytes = js_sys::Uint8Array::from(&[1u8, 2, 3][..]);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes)).unwrap();
    let photo = NewAttachment {
        id: "photo-1".into(),
        owner: PhotoOwner::Case(case.id.to_string()),
        sha256: None,
        blob,
    };
    here.save_case_with(&case, &entry(&case), Some(&photo))
        .await
        .unwrap();
    let bundle = here.export_unsent().await.unwrap();
    assert_eq!(
        (
            bundle.cases.len(),
            bundle.outbox.len(),
            bundle.attachments.len()
        ),
        (1, 1, 1)
    );
    here.close();

    let there = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let first = there.import(&bundle).await.unwrap();
    assert_eq!(
        (first.cases_added, first.changes_added, first.photos_added),
        (1, 1, 1)
    );
    let again = there.import(&bundle).await.unwrap();
    assert!(again.added_nothing(), "{again:?}");
    assert_eq!(there.cases().await.unwrap(), vec![case]);
    assert_eq!(there.pending_count().await.unwrap(), 1);
    let stored = there.attachment("photo-1").await.unwrap().unwrap();
    assert_eq!(stored.blob.size(), 3.0);

    // a newer version on this phone is not overwritten by an older file
    let mut newer = there.cases().await.unwrap().remove(0);
    newer.summary = "本机后来改过".into();
    newer.updated_at = Some("2099-01-01T00:00:00+08:00".parse().unwrap());
    there.save_case(&newer, &entry(&newer)).await.unwrap();
    let third = there.import(&bundle).await.unwrap();
    assert_eq!(third.cases_kept, 1);
    assert_eq!(there.cases().await.unwrap()[0].summary, "本机后来改过");
    there.close();
}

#[wasm_bindgen_test]
async fn edits_made_at_the_same_time_both_land() {
    // a photo finishing while a box is ticked: each edit sees the case as stored
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let case = oral_case("同时修改");
    store.save_case(&case, &entry(&case)).await.unwrap();
    let id = case.id.to_string();
    let (a, b) = futures::join!(
        store.edit_case(&id, None, |c| {
            let mut next = c.clone();
            next.archived = true;
            Ok(next)
        }),
        store.edit_case(&id, None, |c| {
            let mut next = c.clone();
            next.forms.insert(domain::rules::FormCode::new("agreement"));
            Ok(next)
        }),
    );
    assert!(a.unwrap().is_ok() && b.unwrap().is_ok());
    let stored = store.case(&id).await.unwrap().unwrap();
    assert!(stored.archived, "the first edit was kept");
    assert!(
        stored
            .forms
            .contains(&domain::rules::FormCode::new("agreement"))
    );
    assert_eq!(store.pending_count().await.unwrap(), 3);

    // problems found by an edit store nothing
    let refused = store
        .edit_case(&id, None, |_| {
            Err(vec![domain::problem::FieldError::new(
                "summary",
                domain::problem::Problem::NoSummary,
            )])
        })
        .await
        .unwrap();
    assert_eq!(refused.unwrap_err()[0].field, "summary");
    assert_eq!(store.pending_count().await.unwrap(), 3);
    store.close();
}

#[wasm_bindgen_test]
async fn sync_steps_number_once_acknowledge_and_keep_local_changes_over_pulls() {
    use app::records::{Profile, Session};
    use domain::sync::{Change, Entity, MutationResult, Status};
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let mut first = oral_case("第一件");
    first.id = CaseId::stable("sync-1");
    let mut second = oral_case("第二件");
    second.id = CaseId::stable("sync-2");
    let (e1, e2) = (entry(&first), entry(&second));
    store.save_case(&first, &e1).await.unwrap();
    store.save_case(&second, &e2).await.unwrap();

    // log-in binds the phone: the device-made committee and person move to the server's
    let old = store.profile().await.unwrap();
    let server_unit = UnitId::stable("server-unit");
    let session = Session {
        token: "tj1_x".into(),
        device_id: domain::DeviceId::new_v7(),
        person_id: PersonId::stable("server-person"),
        name: "杨调解".into(),
        phone: "13800000001".into(),
        unit_id: server_unit,
        unit_name: "大潭村人民调解委员会".into(),
        role: domain::Role::Mediator,
        cursor: 0,
        reference_cursor: 0,
        next_seq: 1,
        last_sync: None,
        expired: false,
    };
    let mut local = oral_case("登录前记录");
    local.id = CaseId::stable("sync-before-login");
    local.unit_id = old.unit_id;
    local.owner_id = old.mediator_id;
    store.save_case(&local, &entry(&local)).await.unwrap();
    let profile = Profile {
        unit_id: server_unit,
        mediator_id: PersonId::stable("server-person"),
        ..old.clone()
    };
    store.begin_session(&session, &profile).await.unwrap();
    let moved = store.case(&local.id.to_string()).await.unwrap().unwrap();
    assert_eq!(
        (moved.unit_id, moved.owner_id),
        (server_unit, PersonId::stable("server-person"))
    );
    assert_eq!(
        store
            .case(&first.id.to_string())
            .await
            .unwrap()
            .unwrap()
            .unit_id,
        first.unit_id,
        "others untouched"
    );

    // the first push numbers the entries; a retry sends the same numbers
    let (_, batch) = store.next_push(10).await.unwrap();
    let seqs: Vec<_> = batch.iter().map(|(e, _)| e.seq).collect();
    assert_eq!(seqs, [Some(1), Some(2), Some(3)]);
    assert!(batch.iter().all(|(_, case)| case.is_some()));
    let (session_after, again) = store.next_push(10).await.unwrap();
    assert_eq!(again.iter().map(|(e, _)| e.seq).collect::<Vec<_>>(), seqs);
    assert_eq!(session_after.next_seq, 4);

    // the session expires: nothing else changes; the password given again
    // brings a new token, and the same seqs are sent with it
    store.mark_expired().await.unwrap();
    let expired = store.session().await.unwrap().unwrap();
    assert!(expired.expired);
    assert_eq!((expired.token.as_str(), expired.next_seq), ("tj1_x", 4));
    store.renew_session("tj1_y").await.unwrap();
    let (renewed, still) = store.next_push(10).await.unwrap();
    assert_eq!(
        (renewed.token.as_str(), renewed.expired, renewed.next_seq),
        ("tj1_y", false, 4)
    );
    assert_eq!(
        (renewed.device_id, renewed.cursor),
        (session.device_id, session.cursor)
    );
    assert_eq!(still.iter().map(|(e, _)| e.seq).collect::<Vec<_>>(), seqs);

    // answers: the first applied (version 1), the second refused (kept, with the reason)
    let answer = |e: &OutboxEntry, status: Status| MutationResult {
        seq: e.seq.unwrap(),
        mutation_id: e.mutation_id.parse().unwrap(),
        status,
        version: (status != Status::Rejected).then_some(1),
        verdict: None,
        field: None,
        message: (status == Status::Rejected).then(|| "身份证号校验位错误".to_owned()),
        code: None,
        overridden: vec![],
        server: None,
        renumbered: None,
    };
    let outcome = store
        .apply_push(&[
            answer(&batch[0].0, Status::Applied),
            answer(&batch[1].0, Status::Rejected),
        ])
        .await
        .unwrap();
    assert_eq!((outcome.applied, outcome.rejected), (1, 1));
    let left = store.pending().await.unwrap();
    assert_eq!(left.len(), 2);
    assert_eq!(
        left.iter()
            .find(|e| e.mutation_id == batch[1].0.mutation_id)
            .unwrap()
            .error
            .as_deref(),
        Some("身份证号校验位错误")
    );
    assert_eq!(
        store
            .case(&batch[0].0.entity_id)
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );
    // the refused one is not sent again
    let (_, next) = store.next_push(10).await.unwrap();
    assert_eq!(next.len(), 1);

    // a pull: the acknowledged case takes the server's state; the one with a
    // change still queued keeps the phone's
    let mut from_server = store.case(&batch[0].0.entity_id).await.unwrap().unwrap();
    from_server.summary = "办公室补充".into();
    from_server.version = 2;
    let mut queued_here = store.case(&batch[2].0.entity_id).await.unwrap().unwrap();
    queued_here.summary = "不应覆盖".into();
    let change = |c: &Case, no: i64| Change {
        change_no: no,
        entity: Entity::Case,
        entity_id: c.id.0,
        version: 2,
        deleted: false,
        payload: Some(serde_json::to_value(c).unwrap()),
        verdict: None,
        overridden: vec![],
    };
    let applied = store
        .apply_pull(&[change(&from_server, 7), change(&queued_here, 8)], 8)
        .await
        .unwrap();
    assert_eq!(applied, 1);
    assert_eq!(
        store
            .case(&from_server.id.to_string())
            .await
            .unwrap()
            .unwrap()
            .summary,
        "办公室补充"
    );
    assert_ne!(
        store
            .case(&queued_here.id.to_string())
            .await
            .unwrap()
            .unwrap()
            .summary,
        "不应覆盖"
    );
    assert_eq!(store.session().await.unwrap().unwrap().cursor, 8);
    store.close();
}

#[wasm_bindgen_test]
async fn refused_changes_go_again_photos_wait_until_sent_and_conflicts_are_noted() {
    use app::idb::{NewAttachment, PhotoOwner};
    use app::records::Session;
    use domain::sync::{Change, Entity, MutationResult, Status};
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    store
        .begin_session(
            &Session {
                token: "tj1_x".into(),
                device_id: domain::DeviceId::new_v7(),
                person_id: PersonId::stable("p"),
                name: "杨调解".into(),
                phone: "13800000001".into(),
                unit_id: UnitId::stable("u"),
                unit_name: "大潭村".into(),
                role: domain::Role::Mediator,
                cursor: 0,
                reference_cursor: 0,
                next_seq: 1,
                last_sync: None,
                expired: false,
            },
            &store.profile().await.unwrap(),
        )
        .await
        .unwrap();

    // a case with a photo: the photo waits until it is marked sent
    let mut case = oral_case("带照片的记录");
    case.id = CaseId::stable("refused-1");
    let bytes = js_sys::Uint8Array::from(&[9u8, 8, 7][..]);
    let photo = NewAttachment {
        id: "photo-r".into(),
        owner: PhotoOwner::Case(case.id.to_string()),
        sha256: None,
        blob: web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes)).unwrap(),
    };
    store
        .save_case_with(&case, &entry(&case), Some(&photo))
        .await
        .unwrap();
    let unsent = store.unsent_attachments().await.unwrap();
    assert_eq!(
        unsent.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["photo-r"]
    );
    store.mark_attachment_sent("photo-r").await.unwrap();
    assert!(store.unsent_attachments().await.unwrap().is_empty());
    assert!(
        store.attachment("photo-r").await.unwrap().is_some(),
        "the bytes stay for the screens"
    );

    // the server refuses the change: it is listed with the reason, then sent again as a new change
    let (_, batch) = store.next_push(10).await.unwrap();
    let refused = &batch[0].0;
    store
        .apply_push(&[MutationResult {
            seq: refused.seq.unwrap(),
            mutation_id: refused.mutation_id.parse().unwrap(),
            status: Status::Rejected,
            version: None,
            verdict: None,
            field: Some("entity_id".into()),
            message: Some("案件已锁定，不能修改：季度审核中".into()),
            code: Some(domain::sync::Refusal::Locked),
            overridden: vec![],
            server: None,
            renumbered: None,
        }])
        .await
        .unwrap();
    let listed = store.refused(&case.id.to_string()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].error.as_deref().unwrap().contains("季度审核中"));
    assert!(
        store.next_push(10).await.unwrap().1.is_empty(),
        "not sent again by itself"
    );
    assert_eq!(store.retry_refused(&case.id.to_string()).await.unwrap(), 1);
    assert!(
        store
            .refused(&case.id.to_string())
            .await
            .unwrap()
            .is_empty()
    );
    let (_, again) = store.next_push(10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_ne!(
        again[0].0.mutation_id, refused.mutation_id,
        "a new mutation"
    );
    assert_eq!(again[0].0.seq, Some(2), "and a new seq");

    // acknowledged, then someone's later change replaces a field the phone had
    store
        .apply_push(&[MutationResult {
            seq: 2,
            mutation_id: again[0].0.mutation_id.parse().unwrap(),
            status: Status::Applied,
            version: Some(1),
            verdict: None,
            field: None,
            message: None,
            code: None,
            overridden: vec![],
            server: None,
            renumbered: None,
        }])
        .await
        .unwrap();
    let mut theirs = store.case(&case.id.to_string()).await.unwrap().unwrap();
    theirs.summary = "司法所更正的案情".into();
    theirs.version = 2;
    let change = Change {
        change_no: 5,
        entity: Entity::Case,
        entity_id: case.id.0,
        version: 2,
        deleted: false,
        payload: Some(serde_json::to_value(&theirs).unwrap()),
        verdict: None,
        overridden: vec!["summary".into()],
    };
    store
        .apply_pull(std::slice::from_ref(&change), 5)
        .await
        .unwrap();
    let history = store.history(&case.id.to_string()).await.unwrap();
    let notice = history.iter().find(|h| !h.overridden.is_empty()).unwrap();
    assert!(notice.theirs_won && !notice.seen);
    assert_eq!(
        notice.case.summary, "带照片的记录",
        "the phone's own text is kept"
    );
    // pulling the same change again adds no second notice
    store.apply_pull(&[change], 5).await.unwrap();
    let notices = |h: &[app::records::HistoryEntry]| {
        h.iter()
            .filter(|h| !h.overridden.is_empty() && !h.seen)
            .count()
    };
    assert_eq!(
        notices(&store.history(&case.id.to_string()).await.unwrap()),
        1
    );
    store
        .mark_conflicts_seen(&case.id.to_string())
        .await
        .unwrap();
    assert_eq!(
        notices(&store.history(&case.id.to_string()).await.unwrap()),
        0
    );
    store.close();
}

#[wasm_bindgen_test]
async fn reference_data_is_replaced_whole_keeps_its_own_cursor_and_goes_at_log_out() {
    use app::records::Session;
    use domain::org::UnitRecord;
    use domain::screening::Schedule;
    use domain::sync::{Change, Entity};
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let profile = store.profile().await.unwrap();
    let session = Session {
        token: "tj1_x".into(),
        device_id: domain::DeviceId::new_v7(),
        person_id: PersonId::stable("ref-person"),
        name: "杨调解".into(),
        phone: "13800000001".into(),
        unit_id: UnitId::stable("ref-village"),
        unit_name: "大潭村人民调解委员会".into(),
        role: domain::Role::Mediator,
        cursor: 5,
        reference_cursor: 0,
        next_seq: 1,
        last_sync: None,
        expired: false,
    };
    store.begin_session(&session, &profile).await.unwrap();
    let unit = |key: &str, name: &str| UnitRecord {
        id: UnitId::stable(key),
        code: key.into(),
        name: name.into(),
        kind: domain::UnitKind::VillagerGroup,
        parent_id: Some(UnitId::stable("ref-village")),
    };
    let change =
        |entity: Entity, id: uuid::Uuid, version: u64, no: i64, payload: serde_json::Value| {
            Change {
                change_no: no,
                entity,
                entity_id: id,
                version,
                deleted: false,
                payload: Some(payload),
                verdict: None,
                overridden: Vec::new(),
            }
        };
    let schedule_id = Entity::Schedule.document_id("five-ones");
    let mut schedule = Schedule::five_ones();
    let first = [
        change(
            Entity::Unit,
            UnitId::stable("g1").0,
            1,
            10,
            serde_json::to_value(unit("g1", "一组")).unwrap(),
        ),
        change(
            Entity::Unit,
            UnitId::stable("g2").0,
            1,
            11,
            serde_json::to_value(unit("g2", "二组")).unwrap(),
        ),
        change(
            Entity::Schedule,
            schedule_id,
            1,
            12,
            serde_json::to_value(&schedule).unwrap(),
        ),
    ];
    assert_eq!(store.apply_reference(&first, 12).await.unwrap(), 3);
    // a renamed group and a new schedule version replace the old ones
    schedule.version = 2;
    let second = [
        change(
            Entity::Unit,
            UnitId::stable("g1").0,
            1,
            13,
            serde_json::to_value(unit("g1", "第一村民小组")).unwrap(),
        ),
        change(
            Entity::Schedule,
            schedule_id,
            2,
            14,
            serde_json::to_value(&schedule).unwrap(),
        ),
    ];
    store.apply_reference(&second, 14).await.unwrap();
    let mut units = store.units().await.unwrap();
    units.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(units, vec![unit("g1", "第一村民小组"), unit("g2", "二组")]);
    let docs = store.documents(Entity::Schedule).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].version, 2);
    assert_eq!(
        serde_json::from_value::<Schedule>(docs[0].payload.clone()).unwrap(),
        schedule
    );
    assert!(store.documents(Entity::RuleSet).await.unwrap().is_empty());
    // its own cursor: the case stream's is untouched
    let now = store.session().await.unwrap().unwrap();
    assert_eq!((now.cursor, now.reference_cursor), (5, 14));

    // log-out takes it with everything else
    store.clear_all().await.unwrap();
    assert!(store.units().await.unwrap().is_empty());
    assert!(store.documents(Entity::Schedule).await.unwrap().is_empty());
    store.close();
}

#[wasm_bindgen_test]
async fn screening_records_are_saved_with_their_changes_sent_acknowledged_pulled_and_exported() {
    use app::records::Session;
    use domain::ScreeningId;
    use domain::screening::{ScreeningOutcome, ScreeningRecord};
    use domain::sync::{Change, Entity, MutationResult, Status};
    let store = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    let profile = store.profile().await.unwrap();
    let session = Session {
        token: "tj1_x".into(),
        device_id: domain::DeviceId::new_v7(),
        person_id: PersonId::stable("scr-person"),
        name: "杨调解".into(),
        phone: "13800000001".into(),
        unit_id: UnitId::stable("scr-village"),
        unit_name: "大潭村人民调解委员会".into(),
        role: domain::Role::Mediator,
        cursor: 0,
        reference_cursor: 0,
        next_seq: 1,
        last_sync: None,
        expired: false,
    };
    store.begin_session(&session, &profile).await.unwrap();
    let record = |key: &str, group: &str| ScreeningRecord {
        id: ScreeningId::stable(key),
        unit_id: UnitId::stable(group),
        duty: "group_weekly_screening".into(),
        date: jiff::civil::date(2026, 11, 27),
        coverage: "全组".into(),
        households: Some(30),
        outcome: ScreeningOutcome::NothingFound,
        notes: String::new(),
        photo: None,
        recorded_by: PersonId::stable("scr-person"),
        attendees: None,
    };
    let (a, b) = (record("scr-a", "g1"), record("scr-b", "g2"));
    store
        .save_draft(&Draft {
            key: "screening-form".into(),
            json: "{}".into(),
            saved_at: "2024-05-10T08:00:00Z".parse().unwrap(),
        })
        .await
        .unwrap();
    store
        .save_screenings(&[a.clone(), b.clone()], Some("screening-form"))
        .await
        .unwrap();
    assert!(
        store.draft("screening-form").await.unwrap().is_none(),
        "the draft goes with the save"
    );
    // the same record again (a double tap): the whole save fails, nothing is added
    let c = record("scr-c", "g3");
    assert!(
        store
            .save_screenings(&[c.clone(), a.clone()], None)
            .await
            .is_err()
    );
    let mut here = store.screenings().await.unwrap();
    here.sort_by_key(|r| r.id);
    let mut want = vec![a.clone(), b.clone()];
    want.sort_by_key(|r| r.id);
    assert_eq!(here, want);
    assert_eq!(store.pending_count().await.unwrap(), 2);

    // the push sends each as a screening, its record as the payload
    let (_, batch) = store.next_push(10).await.unwrap();
    assert_eq!(batch.len(), 2);
    for (entry, payload) in &batch {
        assert_eq!(entry.entity, "screening");
        let sent: ScreeningRecord = serde_json::from_value(payload.clone().unwrap()).unwrap();
        assert_eq!(sent.id.to_string(), entry.entity_id);
    }
    // the export carries the unsent records; an import elsewhere brings them once
    let bundle = store.export_unsent().await.unwrap();
    assert_eq!(bundle.screenings.len(), 2);
    let elsewhere = LocalStore::open_named(&fresh_name(), CURRENT_VERSION)
        .await
        .unwrap();
    assert_eq!(elsewhere.import(&bundle).await.unwrap().screenings_added, 2);
    assert_eq!(elsewhere.import(&bundle).await.unwrap().screenings_added, 0);
    assert_eq!(elsewhere.pending_count().await.unwrap(), 2);
    elsewhere.close();

    // acknowledged: they leave the outbox and stay on the phone
    let answers: Vec<MutationResult> = batch
        .iter()
        .map(|(e, _)| MutationResult {
            seq: e.seq.unwrap(),
            mutation_id: e.mutation_id.parse().unwrap(),
            status: Status::Applied,
            version: Some(1),
            verdict: None,
            field: None,
            message: None,
            code: None,
            overridden: vec![],
            server: None,
            renumbered: None,
        })
        .collect();
    assert_eq!(store.apply_push(&answers).await.unwrap().applied, 2);
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(store.screenings().await.unwrap().len(), 2);

    // a record made on another phone arrives with the pull, between cases
    let theirs = record("scr-theirs", "g4");
    let change = Change {
        change_no: 7,
        entity: Entity::Screening,
        entity_id: theirs.id.0,
        version: 1,
        deleted: false,
        payload: Some(serde_json::to_value(&theirs).unwrap()),
        verdict: None,
        overridden: Vec::new(),
    };
    assert_eq!(store.apply_pull(&[change], 7).await.unwrap(), 1);
    assert!(store.screenings().await.unwrap().contains(&theirs));
    assert_eq!(store.session().await.unwrap().unwrap().cursor, 7);
    assert!(
        store.cases().await.unwrap().is_empty(),
        "not taken for a case"
    );
    store.close();
}
