//! Query strings: strict (each handler's parameters `deny_unknown_fields`),
//! and one answer for a query that does not read: 400 `malformed`.

use super::error::ApiError;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;

/// What the extractor read, or the 400 naming why it could not.
pub fn read_query<T>(read: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    let Query(params) =
        read.map_err(|e| ApiError::malformed(None, format!("查询参数无效 / bad query: {e}")))?;
    Ok(params)
}
