//! The sync engine's decisions, as pure functions (docs/sync.md, "The
//! app's side"): which queued changes make a push and how, what the
//! server's answers do to the phone's records, how long to wait after a
//! failure, and what the sync says when it ends. The I/O around them —
//! IndexedDB transactions (`crate::idb`) and HTTP (`crate::online`) —
//! reads what they need and carries out what they decide. Compiled for the
//! phone and natively, where these tests run.

use crate::records::{OutboxEntry, OutboxOp};
use domain::case::Case;
use domain::sync::{Entity, Mutation, MutationResult, Op, PushRequest, Status};
use domain::{DeviceId, MutationId};
use std::collections::HashMap;

/// Changes per push (the server takes up to 500).
pub const PUSH_BATCH: usize = 200;
/// Changes per pull page.
pub const PULL_LIMIT: u32 = 500;
/// Bytes per uploaded piece of a photo: small enough that a piece gets
/// through a weak mountain signal, and a dropped one costs little.
pub const UPLOAD_PIECE: u64 = 256 * 1024;

/// The push of `batch` (queued changes, each with its record as it now is)
/// from the device `device`. An entry that does not read (no seq yet, a
/// mangled id) is left out and stays queued.
pub fn push_request(
    device: DeviceId,
    batch: &[(OutboxEntry, Option<serde_json::Value>)],
) -> PushRequest {
    let mutations = batch
        .iter()
        .filter_map(|(entry, payload)| {
            Some(Mutation {
                seq: entry.seq?,
                mutation_id: MutationId::parse(&entry.mutation_id).ok()?,
                entity: match entry.entity.as_str() {
                    "screening" => Entity::Screening,
                    _ => Entity::Case,
                },
                entity_id: uuid::Uuid::parse_str(&entry.entity_id).ok()?,
                op: match entry.op {
                    OutboxOp::Upsert => Op::Upsert,
                    OutboxOp::Delete => Op::Delete,
                },
                base_version: entry.base_version,
                payload: match entry.op {
                    OutboxOp::Upsert => payload.clone(),
                    OutboxOp::Delete => None,
                },
            })
        })
        .collect();
    PushRequest {
        client_id: device,
        mutations,
    }
}

/// What one answer does to the phone's records.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalOp {
    /// Refused: the change stays queued with the reason (shown with its case).
    Refuse { mutation_id: String, reason: String },
    /// Acknowledged: the change leaves the outbox.
    Acknowledge { mutation_id: String },
    /// A conflict the server decided, with nothing newer queued here: the
    /// server's record replaces the phone's, which goes to the history
    /// with the fields the server's order overrode.
    TakeServer {
        mutation_id: String,
        replaced: Box<Case>,
        server: Box<Case>,
        overridden: Vec<String>,
    },
    /// Applied: the phone's case takes the server's version and verdict
    /// (and the case number the server gave, after a `Renumbered`).
    Advance { case: Box<Case> },
    /// The server gave the case another number (案号): its number here
    /// was another case's of the committee's year. The case as it was
    /// goes to the history (a notice on the case page names both numbers),
    /// and the committee's counter here moves past `seq`.
    Renumbered {
        mutation_id: String,
        was: Box<Case>,
        seq: u32,
    },
}

/// What a push's answers changed here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushOutcome {
    pub applied: u32,
    pub conflicts: u32,
    pub rejected: u32,
}

/// The operations the server's `answers` call for, given the changes
/// queued here (`waiting`, oldest first) and the phone's copies of the
/// cases they are about. An answer to a change no longer queued (a retried
/// push answered twice) does nothing.
pub fn apply_answers(
    waiting: &[OutboxEntry],
    local: &HashMap<String, Case>,
    answers: &[MutationResult],
) -> (Vec<LocalOp>, PushOutcome) {
    let mut waiting: Vec<&OutboxEntry> = waiting.iter().collect();
    let mut outcome = PushOutcome::default();
    let mut ops = Vec::new();
    // a case renumbered once, whatever number of its changes the push held
    let mut renumbered: Vec<&str> = Vec::new();
    for answer in answers {
        let id = answer.mutation_id.to_string();
        let Some(entry) = waiting.iter().find(|e| e.mutation_id == id).copied() else {
            continue;
        };
        match answer.status {
            Status::Rejected => {
                outcome.rejected += 1;
                ops.push(LocalOp::Refuse {
                    mutation_id: id,
                    reason: answer
                        .message
                        .clone()
                        .unwrap_or_else(|| "服务器拒绝 / refused".into()),
                });
                continue;
            }
            Status::Applied => outcome.applied += 1,
            Status::Conflict => outcome.conflicts += 1,
        }
        ops.push(LocalOp::Acknowledge {
            mutation_id: id.clone(),
        });
        waiting.retain(|e| e.mutation_id != id);
        if entry.entity != "case" {
            continue; // a screening record: acknowledged is all
        }
        let more_here = waiting.iter().any(|e| e.entity_id == entry.entity_id);
        let server: Option<Case> = answer
            .server
            .clone()
            .and_then(|v| serde_json::from_value(v).ok());
        let mine = local.get(&entry.entity_id);
        let new_number = answer
            .renumbered
            .filter(|n| mine.is_some_and(|m| m.seq != Some(*n)));
        if let (Some(mine), Some(seq)) = (mine, new_number)
            && !renumbered.contains(&entry.entity_id.as_str())
        {
            renumbered.push(&entry.entity_id);
            ops.push(LocalOp::Renumbered {
                mutation_id: id.clone(),
                was: Box::new(mine.clone()),
                seq,
            });
        }
        match (mine, server) {
            (Some(mine), Some(server)) if !more_here => ops.push(LocalOp::TakeServer {
                mutation_id: id,
                replaced: Box::new(mine.clone()),
                server: Box::new(server),
                overridden: answer.overridden.clone(),
            }),
            (Some(mine), _) => {
                let newer = answer.version.filter(|v| *v > mine.version);
                if newer.is_some() || new_number.is_some() {
                    let mut next = mine.clone();
                    if let Some(version) = newer {
                        next.version = version;
                        next.server_verdict = answer.verdict.clone();
                    }
                    if let Some(seq) = new_number {
                        next.seq = Some(seq);
                    }
                    ops.push(LocalOp::Advance {
                        case: Box::new(next),
                    });
                }
            }
            (None, _) => {}
        }
    }
    (ops, outcome)
}

/// How long to wait before the automatic retry after `failures` syncs in a
/// row could not reach the server: 15 s, doubling up to 30 minutes, with
/// `jitter` (0 to 1) spreading the phones of a village that all regain
/// signal at once over the upper half of the delay.
pub fn retry_delay_s(failures: u32, jitter: f64) -> u32 {
    const FIRST: u32 = 15;
    const LONGEST: u32 = 30 * 60;
    let full = FIRST
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(LONGEST);
    let jitter = jitter.clamp(0.0, 1.0);
    (f64::from(full) * (0.5 + 0.5 * jitter)).round() as u32
}

/// What a finished sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub sent: u32,
    pub received: u32,
    pub photos: u32,
    pub conflicts: u32,
    pub refused: u32,
    /// Why photos were not uploaded (one message each).
    pub photos_refused: Vec<String>,
}

/// What the sync says when it ends: `Ok` when everything went through,
/// `Err` when something was refused (the message says what).
pub fn report(t: &Tally) -> Result<String, String> {
    let (sent, received, photos, conflicts, refused) =
        (t.sent, t.received, t.photos, t.conflicts, t.refused);
    let mut message = format!(
        "已同步：发送 {sent} 条，接收 {received} 条 / synced: {sent} sent, {received} received"
    );
    if photos > 0 {
        message.push_str(&format!("；照片 {photos} 张 / {photos} photos"));
    }
    if conflicts > 0 {
        message.push_str(&format!(
            "；{conflicts} 条与他人修改冲突，已按服务器顺序合并 / {conflicts} merged with others' changes"
        ));
    }
    if let Some(why) = t.photos_refused.first() {
        let n = t.photos_refused.len();
        let (why_zh, why_en) = crate::texts::both(why);
        return Err(format!(
            "{message}；{n} 张照片未能上传：{why_zh} / {n} photos not uploaded: {why_en}"
        ));
    }
    if refused > 0 {
        return Err(format!(
            "{message}；{refused} 条被服务器拒绝，请查看案件 / {refused} refused by the server: see the cases"
        ));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::rules::Verdict;
    use domain::sync::Status;

    fn entry(id: u128, case: &Case, op: OutboxOp, seq: Option<u64>) -> OutboxEntry {
        OutboxEntry {
            mutation_id: uuid::Uuid::from_u128(id).to_string(),
            entity: "case".into(),
            entity_id: case.id.to_string(),
            op,
            base_version: case.version,
            created_at: "2026-11-25T02:00:00Z".parse().unwrap(),
            seq,
            error: None,
        }
    }

    fn answer(e: &OutboxEntry, status: Status) -> MutationResult {
        MutationResult {
            seq: e.seq.unwrap_or(0),
            mutation_id: e.mutation_id.parse().unwrap(),
            status,
            version: Some(2),
            verdict: Some(Verdict::none()),
            field: None,
            message: (status == Status::Rejected).then(|| "案件已锁定".to_owned()),
            code: None,
            overridden: Vec::new(),
            server: None,
            renumbered: None,
        }
    }

    #[test]
    fn a_push_carries_the_numbered_changes_and_no_payload_for_a_delete() {
        let case = domain::testing::oral_case();
        let device = DeviceId::new_v7();
        let payload = serde_json::to_value(&case).unwrap();
        let batch = vec![
            (
                entry(1, &case, OutboxOp::Upsert, Some(1)),
                Some(payload.clone()),
            ),
            (
                entry(2, &case, OutboxOp::Delete, Some(2)),
                Some(payload.clone()),
            ),
            // not numbered yet: waits for the next push
            (entry(3, &case, OutboxOp::Upsert, None), Some(payload)),
        ];
        let req = push_request(device, &batch);
        assert_eq!(req.client_id, device);
        assert_eq!(req.mutations.len(), 2);
        assert_eq!(req.mutations[0].seq, 1);
        assert!(req.mutations[0].payload.is_some());
        assert_eq!(
            (req.mutations[1].op, req.mutations[1].payload.clone()),
            (Op::Delete, None)
        );
    }

    #[test]
    fn a_renumbered_case_takes_its_new_number_once_and_keeps_the_old_in_history() {
        let mine = domain::testing::oral_case(); // numbered 12 here
        let first = entry(1, &mine, OutboxOp::Upsert, Some(1));
        let second = entry(2, &mine, OutboxOp::Upsert, Some(2));
        let local: HashMap<String, Case> = [(mine.id.to_string(), mine.clone())].into();
        let renumbered = |e: &OutboxEntry, version| MutationResult {
            version: Some(version),
            renumbered: Some(13),
            ..answer(e, Status::Applied)
        };
        let answers = [renumbered(&first, 1), renumbered(&second, 2)];
        let (ops, _) = apply_answers(&[first.clone(), second.clone()], &local, &answers);
        let history: Vec<&LocalOp> = ops
            .iter()
            .filter(|op| matches!(op, LocalOp::Renumbered { .. }))
            .collect();
        assert_eq!(
            history,
            [&LocalOp::Renumbered {
                mutation_id: first.mutation_id.clone(),
                was: Box::new(mine.clone()),
                seq: 13
            }],
            "one notice for the case"
        );
        let Some(LocalOp::Advance { case }) = ops.last() else {
            panic!("{ops:?}");
        };
        assert_eq!((case.seq, case.version), (Some(13), 2));
        // the number it already has is no news
        let already = Case {
            seq: Some(13),
            ..mine.clone()
        };
        let local: HashMap<String, Case> = [(mine.id.to_string(), already)].into();
        let (ops, _) = apply_answers(
            std::slice::from_ref(&first),
            &local,
            &[renumbered(&first, 1)],
        );
        assert!(
            !ops.iter()
                .any(|op| matches!(op, LocalOp::Renumbered { .. })),
            "{ops:?}"
        );
    }

    #[test]
    fn answers_acknowledge_refuse_advance_or_take_the_servers_record() {
        let mine = domain::testing::oral_case();
        let other = domain::testing::general_case();
        let applied = entry(1, &mine, OutboxOp::Upsert, Some(1));
        let refused = entry(2, &other, OutboxOp::Upsert, Some(2));
        let local: HashMap<String, Case> = [
            (mine.id.to_string(), mine.clone()),
            (other.id.to_string(), other.clone()),
        ]
        .into();
        let answers = [
            answer(&applied, Status::Applied),
            answer(&refused, Status::Rejected),
        ];
        let (ops, outcome) = apply_answers(&[applied.clone(), refused.clone()], &local, &answers);
        assert_eq!(
            outcome,
            PushOutcome {
                applied: 1,
                conflicts: 0,
                rejected: 1
            }
        );
        let mut advanced = mine.clone();
        advanced.version = 2;
        advanced.server_verdict = Some(Verdict::none());
        assert_eq!(
            ops,
            [
                LocalOp::Acknowledge {
                    mutation_id: applied.mutation_id.clone()
                },
                LocalOp::Advance {
                    case: Box::new(advanced)
                },
                LocalOp::Refuse {
                    mutation_id: refused.mutation_id.clone(),
                    reason: "案件已锁定".into()
                },
            ]
        );
        // an answer given twice (a retried push) does nothing the second time
        let (ops, _) = apply_answers(std::slice::from_ref(&refused), &local, &answers[..1]);
        assert!(ops.is_empty());

        // a conflict: the server's record replaces the phone's, unless
        // another change of the case is still queued here
        let mut theirs = mine.clone();
        theirs.summary = "办公室改过的".into();
        let mut conflict = answer(&applied, Status::Conflict);
        conflict.server = Some(serde_json::to_value(&theirs).unwrap());
        conflict.overridden = vec!["summary".into()];
        let (ops, outcome) = apply_answers(
            std::slice::from_ref(&applied),
            &local,
            std::slice::from_ref(&conflict),
        );
        assert_eq!(outcome.conflicts, 1);
        assert!(
            matches!(&ops[1], LocalOp::TakeServer { server, overridden, .. } if server.summary == "办公室改过的" && overridden == &["summary"])
        );
        let later = entry(9, &mine, OutboxOp::Upsert, None);
        let (ops, _) = apply_answers(&[applied, later], &local, &[conflict]);
        assert!(
            matches!(&ops[1], LocalOp::Advance { .. }),
            "the queued change keeps the phone's record: {ops:?}"
        );
    }

    #[test]
    fn retries_back_off_exponentially_up_to_half_an_hour() {
        // without jitter: half of 15 s, 30 s, 60 s… ; with full jitter the whole
        let full: Vec<u32> = (1..=10).map(|n| retry_delay_s(n, 1.0)).collect();
        assert_eq!(full, [15, 30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        let least: Vec<u32> = (1..=4).map(|n| retry_delay_s(n, 0.0)).collect();
        assert_eq!(least, [8, 15, 30, 60]);
        // out-of-range inputs stay sane
        assert_eq!(retry_delay_s(0, 1.0), 15);
        assert_eq!(retry_delay_s(u32::MAX, 2.0), 1800);
        assert_eq!(retry_delay_s(3, -1.0), 30);
    }

    #[test]
    fn the_delay_always_grows_or_holds_for_the_same_jitter() {
        for jitter in [0.0, 0.3, 0.77, 1.0] {
            let delays: Vec<u32> = (1..40).map(|n| retry_delay_s(n, jitter)).collect();
            assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        }
    }

    #[test]
    fn the_report_says_what_went_through_and_what_did_not() {
        let ok = report(&Tally {
            sent: 2,
            received: 5,
            ..Tally::default()
        });
        assert_eq!(
            ok.as_deref(),
            Ok("已同步：发送 2 条，接收 5 条 / synced: 2 sent, 5 received")
        );
        let refused = report(&Tally {
            sent: 1,
            refused: 1,
            ..Tally::default()
        })
        .unwrap_err();
        assert!(refused.contains("1 条被服务器拒绝"), "{refused}");
        let photo = report(&Tally {
            photos_refused: vec!["太大".into()],
            ..Tally::default()
        })
        .unwrap_err();
        assert!(
            photo.contains("1 张照片未能上传") && photo.ends_with("太大"),
            "{photo}"
        );
    }
}
