//! The duplicate check's index (`case_mark`, 重复申报核查): each live
//! case's marks (`domain::duplicate::marks` and its photos' SHA-256) as a
//! keyed hash, with what the check weighs and shows of the case (its unit,
//! number, dispute type and day). Every write of a case rewrites its marks
//! in the same transaction; [`index_all`] fills them for cases stored
//! before the index existed.
//!
//! The key (`server_setting` `case_mark_key`) is made once per database:
//! without it, the hashes of the ID numbers could be matched against a
//! list of numbers; with it, the index tells only that two cases share
//! one.

use super::cases::StoredCase;
use super::sql::{self, IDS_PER_STATEMENT, ROWS_PER_STATEMENT};
use super::{Conn, Store, StoreError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use domain::case::Case;
use domain::duplicate::{Likeness, Mark, Seen};
use domain::{CaseId, Timestamp, UnitId, UnitPath};
use hmac::{Hmac, Mac};
use sea_query::{Alias, Expr, Iden, JoinType, OnConflict, Query};
use sha2::Sha256;

const KEY: &str = "case_mark_key";
/// Written once every case stored before the index has its marks.
const INDEXED: &str = "case_marks_indexed";

#[derive(Iden, Clone, Copy)]
enum CaseMark {
    Table,
    CaseId,
    Kind,
    Mark,
    UnitId,
    UnitPath,
    Seq,
    DisputeType,
    ReceivedOn,
}

/// The index's key, made by the first writer that needs it.
async fn key(c: &mut Conn) -> Result<Vec<u8>, StoreError> {
    let made = || {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    };
    let now = Timestamp::from(jiff::Timestamp::now());
    Ok(super::settings::shared_on(c, KEY, made, now)
        .await?
        .into_bytes())
}

fn hashed(key: &[u8], likeness: Likeness, text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(likeness.code().as_bytes());
    mac.update(b":");
    mac.update(text.as_bytes());
    let sum = mac.finalize().into_bytes();
    sum[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The marks of a live case: its parties and oral marks, and its photos.
fn all_marks(case: &Case) -> Vec<Mark> {
    let mut marks = domain::duplicate::marks(case);
    marks.extend(
        case.attachments
            .iter()
            .filter_map(|a| a.sha256.as_ref())
            .map(|sha| Mark {
                likeness: Likeness::SamePhoto,
                text: sha.clone(),
            }),
    );
    marks.sort();
    marks.dedup();
    marks
}

/// Rewrites the marks of these cases as they now stand (a tombstone has
/// none), inside the writer's transaction.
pub async fn rewrite(c: &mut Conn, cases: &[&StoredCase]) -> Result<(), StoreError> {
    if cases.is_empty() {
        return Ok(());
    }
    let ids: Vec<CaseId> = cases.iter().map(|r| r.id).collect();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::delete()
            .from_table(CaseMark::Table)
            .and_where(Expr::col(CaseMark::CaseId).is_in(chunk.iter().map(|id| id.to_string())))
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    let mut rows = Vec::new();
    let mut key_bytes = None;
    for stored in cases {
        let Some(case) = stored.case()? else { continue };
        let marks = all_marks(&case);
        if marks.is_empty() {
            continue;
        }
        if key_bytes.is_none() {
            key_bytes = Some(key(c).await?);
        }
        let key = key_bytes.as_deref().expect("read above");
        for m in marks {
            rows.push([
                case.id.to_string().into(),
                m.likeness.code().into(),
                hashed(key, m.likeness, &m.text).into(),
                stored.unit_id.to_string().into(),
                stored.unit_path.as_str().into(),
                case.seq.map(i64::from).into(),
                case.dispute_type.clone().into(),
                domain::dates::format_iso(case.received_on).into(),
            ]);
        }
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(CaseMark::Table)
            .columns([
                CaseMark::CaseId,
                CaseMark::Kind,
                CaseMark::Mark,
                CaseMark::UnitId,
                CaseMark::UnitPath,
                CaseMark::Seq,
                CaseMark::DisputeType,
                CaseMark::ReceivedOn,
            ])
            .on_conflict(
                OnConflict::columns([CaseMark::CaseId, CaseMark::Kind, CaseMark::Mark])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        for row in chunk {
            stmt.values_panic(row.clone());
        }
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// Gives the cases stored before the index existed their marks, once per
/// database (run by `migrate`; a second instance doing the same at once
/// writes the same rows).
pub async fn index_all(store: &Store) -> Result<(), StoreError> {
    if super::settings::get(store, INDEXED).await?.is_some() {
        return Ok(());
    }
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM case_record WHERE deleted = 0 AND payload IS NOT NULL")
            .fetch_all(store.pool())
            .await?;
    let ids: Vec<CaseId> = ids
        .iter()
        .map(|id| sql::read("case id", id))
        .collect::<Result<_, _>>()?;
    for chunk in ids.chunks(500) {
        let mut tx = store.write().await?;
        let cases = super::cases::get_many(&mut tx, chunk).await?;
        let refs: Vec<&StoredCase> = cases.iter().collect();
        rewrite(&mut tx, &refs).await?;
        tx.commit().await?;
    }
    let now = Timestamp::from(jiff::Timestamp::now());
    super::settings::shared(store, INDEXED, || now.to_string(), now).await?;
    Ok(())
}

/// One side of a shared mark: a case as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub seen: Seen,
    pub unit_id: UnitId,
    pub unit_path: UnitPath,
    pub seq: Option<u32>,
}

/// Two cases sharing a mark: `this` one of the cases asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    pub likeness: Likeness,
    pub this: Marked,
    pub other: Marked,
}

impl Shared {
    /// Whether the two look like the same dispute
    /// (`domain::duplicate::alike`).
    pub fn alike(&self) -> bool {
        domain::duplicate::alike(self.likeness, &self.this.seen, &self.other.seen)
    }
}

#[derive(sqlx::FromRow)]
struct SharedRow {
    kind: String,
    this_id: String,
    this_type: String,
    this_on: String,
    this_unit: String,
    this_path: String,
    this_seq: Option<i64>,
    other_id: String,
    other_type: String,
    other_on: String,
    other_unit: String,
    other_path: String,
    other_seq: Option<i64>,
}

fn marked(
    id: &str,
    kind: String,
    on: &str,
    unit: &str,
    path: &str,
    seq: Option<i64>,
) -> Result<Marked, StoreError> {
    Ok(Marked {
        seen: Seen {
            case_id: sql::read("case id", id)?,
            dispute_type: kind,
            received_on: sql::read("received_on", on)?,
        },
        unit_id: sql::read("unit id", unit)?,
        unit_path: sql::path(path)?,
        seq: seq
            .map(|s| u32::try_from(s).map_err(|e| StoreError::corrupt("seq", e)))
            .transpose()?,
    })
}

/// Every mark the cases `ids` share with another live case (the caller
/// weighs each with `domain::duplicate::alike`).
pub async fn shared(c: &mut Conn, ids: &[CaseId]) -> Result<Vec<Shared>, StoreError> {
    let (a, b) = (Alias::new("a"), Alias::new("b"));
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut stmt = Query::select();
        stmt.expr_as(Expr::col((a.clone(), CaseMark::Kind)), Alias::new("kind"));
        for (side, prefix) in [(&a, "this"), (&b, "other")] {
            for (col, name) in [
                (CaseMark::CaseId, "id"),
                (CaseMark::DisputeType, "type"),
                (CaseMark::ReceivedOn, "on"),
                (CaseMark::UnitId, "unit"),
                (CaseMark::UnitPath, "path"),
                (CaseMark::Seq, "seq"),
            ] {
                stmt.expr_as(
                    Expr::col((side.clone(), col)),
                    Alias::new(format!("{prefix}_{name}")),
                );
            }
        }
        stmt.from_as(CaseMark::Table, a.clone())
            .join_as(
                JoinType::InnerJoin,
                CaseMark::Table,
                b.clone(),
                Expr::col((b.clone(), CaseMark::Mark))
                    .equals((a.clone(), CaseMark::Mark))
                    .and(Expr::col((b.clone(), CaseMark::Kind)).equals((a.clone(), CaseMark::Kind)))
                    .and(
                        Expr::col((b.clone(), CaseMark::CaseId))
                            .ne(Expr::col((a.clone(), CaseMark::CaseId))),
                    ),
            )
            .and_where(
                Expr::col((a.clone(), CaseMark::CaseId))
                    .is_in(chunk.iter().map(|id| id.to_string())),
            );
        let (text, values) = sql::render(c, &stmt);
        for r in sqlx::query_as_with::<_, SharedRow, _>(&text, values)
            .fetch_all(&mut *c)
            .await?
        {
            let likeness = Likeness::from_code(&r.kind)
                .ok_or_else(|| StoreError::corrupt("mark kind", format_args!("{:?}", r.kind)))?;
            out.push(Shared {
                likeness,
                this: marked(
                    &r.this_id,
                    r.this_type,
                    &r.this_on,
                    &r.this_unit,
                    &r.this_path,
                    r.this_seq,
                )?,
                other: marked(
                    &r.other_id,
                    r.other_type,
                    &r.other_on,
                    &r.other_unit,
                    &r.other_path,
                    r.other_seq,
                )?,
            });
        }
    }
    Ok(out)
}
