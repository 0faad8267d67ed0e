//! Strict JSON bodies: a size cap, unknown fields rejected, and the path of
//! the field at fault in the error (`mutations[3].payload`).

use crate::error::ApiError;
use axum::body::Body;
use serde::de::DeserializeOwned;

pub async fn read_json<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::BadRequest {
            code: "malformed",
            field: (path != ".").then_some(path),
            message: format!("无法读取请求 / cannot read the request: {}", e.inner()),
        }
    })
}
