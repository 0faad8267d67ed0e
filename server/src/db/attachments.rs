//! Attachments: which case refers to which content (`case_attachment`; a
//! screening record names its photo in its own row), the
//! contents themselves (`attachment_blob`, one row per SHA-256) and uploads
//! under way (`attachment_upload` with its pieces in `attachment_chunk`).

use super::cases::Tx;
use super::{Backend, DbError, list_placeholders, values_placeholders};

/// Rows per multi-row statement.
const CHUNK: usize = 200;

/// A case's reference to a content, as the push writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRow {
    pub case_id: String,
    pub attachment_id: String,
    pub sha256: String,
    pub unit_path: String,
    pub bytes: i64,
    pub content_type: String,
}

/// Replaces the references of the cases in `cases` by `rows` (which belong
/// to those cases). New cases have none to clear; callers pass only the
/// cases that existed before.
pub async fn replace_refs(tx: &mut Tx, clear: &[String], rows: &[RefRow]) -> Result<(), DbError> {
    for chunk in clear.chunks(CHUNK * 5) {
        let sql = format!(
            "DELETE FROM case_attachment WHERE case_id IN ({})",
            list_placeholders(Backend::of(tx), chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        q.execute(&mut *tx).await?;
    }
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO case_attachment (case_id, attachment_id, sha256, unit_path, bytes, content_type) \
             VALUES {} ON CONFLICT (case_id, attachment_id) DO UPDATE SET sha256 = excluded.sha256, \
             unit_path = excluded.unit_path, bytes = excluded.bytes, content_type = excluded.content_type",
            values_placeholders(Backend::of(tx), chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&r.case_id)
                .bind(&r.attachment_id)
                .bind(&r.sha256)
                .bind(&r.unit_path)
                .bind(r.bytes)
                .bind(&r.content_type);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// A content as a case or a screening record inside `roots` declares it
/// (a case also when its referral across the tree reached `roots`):
/// (bytes, content type). None when nothing the caller can see refers to it.
pub async fn visible_ref(
    conn: &mut Tx,
    sha256: &str,
    roots: &[&str],
) -> Result<Option<(i64, String)>, DbError> {
    if roots.is_empty() {
        return Ok(None);
    }
    let scope = (0..roots.len())
        .map(|i| format!("unit_path LIKE ${}", i + 2))
        .collect::<Vec<_>>()
        .join(" OR ");
    // a case's photos also reach the owner's unit of a referral across
    // the tree, once accepted (its `grant_path`)
    let case_scope = (0..roots.len())
        .map(|i| {
            format!(
                "unit_path LIKE ${0} OR case_id IN \
                 (SELECT case_id FROM case_ownership WHERE grant_path LIKE ${0})",
                i + 2
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let queries = [
        format!(
            "SELECT bytes, content_type FROM case_attachment WHERE sha256 = $1 AND ({case_scope}) \
             ORDER BY case_id, attachment_id LIMIT 1"
        ),
        format!(
            "SELECT photo_bytes, photo_type FROM screening_record WHERE photo_sha256 = $1 AND ({scope}) \
             ORDER BY id LIMIT 1"
        ),
    ];
    for sql in &queries {
        let mut q = sqlx::query_as::<_, (i64, String)>(sql).bind(sha256);
        for root in roots {
            q = q.bind(format!("{root}%"));
        }
        if let Some(found) = q.fetch_optional(&mut *conn).await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// Whether the content is stored whole.
pub async fn blob_exists(conn: &mut Tx, sha256: &str) -> Result<bool, DbError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM attachment_blob WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
    )
}

/// The stored content: (content type, bytes).
pub async fn blob(conn: &mut Tx, sha256: &str) -> Result<Option<(String, Vec<u8>)>, DbError> {
    Ok(sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT content_type, data FROM attachment_blob WHERE sha256 = $1",
    )
    .bind(sha256)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Bytes received so far for an upload under way (0 when none).
pub async fn received(conn: &mut Tx, sha256: &str) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT received FROM attachment_upload WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(0),
    )
}

/// Adds a piece at `start` and moves the upload's mark to its end. None
/// when another upload of the same content wrote that piece first.
pub async fn add_piece(
    tx: &mut Tx,
    sha256: &str,
    bytes: i64,
    start: i64,
    data: &[u8],
    now: &str,
) -> Result<Option<i64>, DbError> {
    let end = start + data.len() as i64;
    let added = sqlx::query(
        "INSERT INTO attachment_chunk (sha256, start, data) VALUES ($1, $2, $3) \
         ON CONFLICT (sha256, start) DO NOTHING",
    )
    .bind(sha256)
    .bind(start)
    .bind(data)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO attachment_upload (sha256, bytes, received, started_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (sha256) DO UPDATE SET received = excluded.received, updated_at = excluded.updated_at",
    )
    .bind(sha256)
    .bind(bytes)
    .bind(end)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(Some(end))
}

/// All pieces of an upload, joined in order.
pub async fn pieces(tx: &mut Tx, sha256: &str) -> Result<Vec<u8>, DbError> {
    let parts = sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT data FROM attachment_chunk WHERE sha256 = $1 ORDER BY start",
    )
    .bind(sha256)
    .fetch_all(&mut *tx)
    .await?;
    Ok(parts.concat())
}

/// Forgets an upload under way (finished, or failed its checksum).
pub async fn drop_upload(tx: &mut Tx, sha256: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM attachment_chunk WHERE sha256 = $1")
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM attachment_upload WHERE sha256 = $1")
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Stores a whole, checked content (a second copy is a no-op).
pub async fn insert_blob(
    tx: &mut Tx,
    sha256: &str,
    content_type: &str,
    data: &[u8],
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO attachment_blob (sha256, bytes, content_type, data, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(data.len() as i64)
    .bind(content_type)
    .bind(data)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
