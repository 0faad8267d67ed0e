//! Attachments: which case refers to which content (`case_attachment`; a
//! screening record names its photo in its own row), the contents
//! themselves (`attachment_blob`, one row per SHA-256), the units whose
//! references the bytes were sent for (`attachment_holder`) and uploads
//! under way, one per uploader (`attachment_upload` with its pieces in
//! `attachment_chunk`).

use super::sql::{
    self, CaseAttachment, CaseOwnership, IDS_PER_STATEMENT, ROWS_PER_STATEMENT, ScreeningRecord,
};
use super::{Conn, StoreError};
use domain::{AccountId, CaseId, Timestamp, UnitPath};
use sea_query::{Expr, OnConflict, Query, SelectStatement};

/// A case's reference to a content, as the push writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    pub case_id: CaseId,
    pub attachment_id: String,
    pub sha256: String,
    pub unit_path: UnitPath,
    pub bytes: u64,
    pub content_type: String,
}

/// Replaces the references of the cases in `clear` by `rows` (which belong
/// to those cases or to new ones).
pub async fn replace_refs(
    c: &mut Conn,
    clear: &[CaseId],
    rows: &[CaseRef],
) -> Result<(), StoreError> {
    for chunk in clear.chunks(IDS_PER_STATEMENT) {
        let stmt = Query::delete()
            .from_table(CaseAttachment::Table)
            .and_where(
                Expr::col(CaseAttachment::CaseId).is_in(chunk.iter().map(|id| id.to_string())),
            )
            .to_owned();
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut stmt = Query::insert()
            .into_table(CaseAttachment::Table)
            .columns([
                CaseAttachment::CaseId,
                CaseAttachment::AttachmentId,
                CaseAttachment::Sha256,
                CaseAttachment::UnitPath,
                CaseAttachment::Bytes,
                CaseAttachment::ContentType,
            ])
            .on_conflict(
                OnConflict::columns([CaseAttachment::CaseId, CaseAttachment::AttachmentId])
                    .update_columns([
                        CaseAttachment::Sha256,
                        CaseAttachment::UnitPath,
                        CaseAttachment::Bytes,
                        CaseAttachment::ContentType,
                    ])
                    .to_owned(),
            )
            .to_owned();
        for r in chunk {
            stmt.values_panic([
                r.case_id.to_string().into(),
                r.attachment_id.clone().into(),
                r.sha256.clone().into(),
                r.unit_path.as_str().into(),
                (r.bytes as i64).into(),
                r.content_type.clone().into(),
            ]);
        }
        let (text, values) = sql::render(c, &stmt);
        sqlx::query_with(&text, values).execute(&mut *c).await?;
    }
    Ok(())
}

/// What a record declares of a content: its size and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub bytes: u64,
    pub content_type: String,
}

/// The rows inside `roots` that name `sha256`: cases' references (a case
/// also when its referral across the tree reached `roots`: the owner's
/// unit of an accepted referral, its `grant_path`) and screening records.
/// Without columns: each reader picks its own.
fn naming(sha256: &str, roots: &[&UnitPath]) -> (SelectStatement, SelectStatement) {
    let granted = Query::select()
        .column(CaseOwnership::CaseId)
        .from(CaseOwnership::Table)
        .cond_where(sql::under(CaseOwnership::GrantPath, roots))
        .to_owned();
    let by_case = Query::select()
        .from(CaseAttachment::Table)
        .and_where(Expr::col(CaseAttachment::Sha256).eq(sha256))
        .cond_where(
            sql::under(CaseAttachment::UnitPath, roots)
                .add(Expr::col(CaseAttachment::CaseId).in_subquery(granted)),
        )
        .to_owned();
    let by_record = Query::select()
        .from(ScreeningRecord::Table)
        .and_where(Expr::col(ScreeningRecord::PhotoSha256).eq(sha256))
        .cond_where(sql::under(ScreeningRecord::UnitPath, roots))
        .to_owned();
    (by_case, by_record)
}

/// A content as a case or a screening record inside `roots` declares it.
/// None when nothing the caller can see refers to it.
pub async fn visible(
    c: &mut Conn,
    sha256: &str,
    roots: &[&UnitPath],
) -> Result<Option<Declared>, StoreError> {
    if roots.is_empty() {
        return Ok(None);
    }
    let (mut by_case, mut by_record) = naming(sha256, roots);
    by_case
        .columns([CaseAttachment::Bytes, CaseAttachment::ContentType])
        .order_by(CaseAttachment::CaseId, sea_query::Order::Asc)
        .order_by(CaseAttachment::AttachmentId, sea_query::Order::Asc)
        .limit(1);
    by_record
        .columns([ScreeningRecord::PhotoBytes, ScreeningRecord::PhotoType])
        .order_by(ScreeningRecord::Id, sea_query::Order::Asc)
        .limit(1);
    for stmt in [by_case, by_record] {
        let (text, values) = sql::render(c, &stmt);
        if let Some((bytes, content_type)) =
            sqlx::query_as_with::<_, (i64, String), _>(&text, values)
                .fetch_optional(&mut *c)
                .await?
        {
            return Ok(Some(Declared {
                bytes: sql::count("bytes", bytes)?,
                content_type,
            }));
        }
    }
    Ok(None)
}

/// The units (paths) of the records inside `roots` that name the content.
pub async fn declaring_paths(
    c: &mut Conn,
    sha256: &str,
    roots: &[&UnitPath],
) -> Result<Vec<String>, StoreError> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let (mut by_case, mut by_record) = naming(sha256, roots);
    by_case.distinct().column(CaseAttachment::UnitPath);
    by_record.distinct().column(ScreeningRecord::UnitPath);
    let mut paths = Vec::new();
    for stmt in [by_case, by_record] {
        let (text, values) = sql::render(c, &stmt);
        paths.extend(
            sqlx::query_scalar_with::<_, String, _>(&text, values)
                .fetch_all(&mut *c)
                .await?,
        );
    }
    paths.sort_unstable();
    paths.dedup();
    Ok(paths)
}

/// Whether the content's bytes were sent for a record of one of `paths`.
pub async fn held_for(c: &mut Conn, sha256: &str, paths: &[String]) -> Result<bool, StoreError> {
    let held = sqlx::query_scalar::<_, String>(
        "SELECT unit_path FROM attachment_holder WHERE sha256 = $1",
    )
    .bind(sha256)
    .fetch_all(&mut *c)
    .await?;
    Ok(held.iter().any(|p| paths.contains(p)))
}

/// Records that the content's bytes were sent for the records of `paths`.
pub async fn add_holders(
    c: &mut Conn,
    sha256: &str,
    paths: &[String],
    now: Timestamp,
) -> Result<(), StoreError> {
    for path in paths {
        sqlx::query(
            "INSERT INTO attachment_holder (sha256, unit_path, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (sha256, unit_path) DO NOTHING",
        )
        .bind(sha256)
        .bind(path)
        .bind(now.to_string())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Whether the content is stored whole.
pub async fn blob_exists(c: &mut Conn, sha256: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM attachment_blob WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&mut *c)
            .await?
            .is_some(),
    )
}

/// The stored content: (content type, bytes).
pub async fn blob(c: &mut Conn, sha256: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    Ok(sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT content_type, data FROM attachment_blob WHERE sha256 = $1",
    )
    .bind(sha256)
    .fetch_optional(&mut *c)
    .await?)
}

/// Bytes `uploader` has sent so far of an upload under way (0 when none).
pub async fn received(c: &mut Conn, sha256: &str, uploader: AccountId) -> Result<u64, StoreError> {
    let n = sqlx::query_scalar::<_, i64>(
        "SELECT received FROM attachment_upload WHERE sha256 = $1 AND uploader = $2",
    )
    .bind(sha256)
    .bind(uploader.to_string())
    .fetch_optional(&mut *c)
    .await?
    .unwrap_or(0);
    sql::count("received", n)
}

/// The photo storage `uploader` holds: the contents they stored, and what
/// they have sent of uploads under way of contents not stored yet (an
/// upload somebody else finished first costs them nothing).
pub async fn stored_by(c: &mut Conn, uploader: AccountId) -> Result<u64, StoreError> {
    let (stored, sending) = sqlx::query_as::<_, (i64, i64)>(
        "SELECT \
           CAST(COALESCE((SELECT SUM(bytes) FROM attachment_blob WHERE uploaded_by = $1), 0) AS BIGINT), \
           CAST(COALESCE((SELECT SUM(u.received) FROM attachment_upload u WHERE u.uploader = $1 \
             AND NOT EXISTS (SELECT 1 FROM attachment_blob b WHERE b.sha256 = u.sha256)), 0) AS BIGINT)",
    )
    .bind(uploader.to_string())
    .fetch_one(&mut *c)
    .await?;
    Ok(sql::count("stored bytes", stored)? + sql::count("bytes under way", sending)?)
}

/// Adds `uploader`'s piece at `start` and moves their upload's mark to its
/// end. None when a retry of the same piece wrote it first.
pub async fn add_piece(
    c: &mut Conn,
    sha256: &str,
    uploader: AccountId,
    bytes: u64,
    start: u64,
    data: &[u8],
    now: Timestamp,
) -> Result<Option<u64>, StoreError> {
    let end = start + data.len() as u64;
    let added = sqlx::query(
        "INSERT INTO attachment_chunk (sha256, uploader, start, data) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256, uploader, start) DO NOTHING",
    )
    .bind(sha256)
    .bind(uploader.to_string())
    .bind(start as i64)
    .bind(data)
    .execute(&mut *c)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO attachment_upload (sha256, uploader, bytes, received, started_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (sha256, uploader) DO UPDATE SET received = excluded.received, updated_at = excluded.updated_at",
    )
    .bind(sha256)
    .bind(uploader.to_string())
    .bind(bytes as i64)
    .bind(end as i64)
    .bind(now.to_string())
    .execute(&mut *c)
    .await?;
    Ok(Some(end))
}

/// All pieces of `uploader`'s upload, joined in order.
pub async fn pieces(
    c: &mut Conn,
    sha256: &str,
    uploader: AccountId,
) -> Result<Vec<u8>, StoreError> {
    let parts = sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT data FROM attachment_chunk WHERE sha256 = $1 AND uploader = $2 ORDER BY start",
    )
    .bind(sha256)
    .bind(uploader.to_string())
    .fetch_all(&mut *c)
    .await?;
    Ok(parts.concat())
}

/// Forgets `uploader`'s upload under way (finished, or failed its checksum).
pub async fn drop_upload(
    c: &mut Conn,
    sha256: &str,
    uploader: AccountId,
) -> Result<(), StoreError> {
    for table in ["attachment_chunk", "attachment_upload"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE sha256 = $1 AND uploader = $2"
        ))
        .bind(sha256)
        .bind(uploader.to_string())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Stores a whole, checked content, charged to `uploader` (a second copy
/// is a no-op).
pub async fn insert_blob(
    c: &mut Conn,
    sha256: &str,
    content_type: &str,
    data: &[u8],
    uploader: AccountId,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO attachment_blob (sha256, bytes, content_type, data, created_at, uploaded_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(data.len() as i64)
    .bind(content_type)
    .bind(data)
    .bind(now.to_string())
    .bind(uploader.to_string())
    .execute(&mut *c)
    .await?;
    Ok(())
}
