use serde::{Deserialize, Serialize};

/// The key a browser subscribes with (`applicationServerKey`,
/// `GET /api/v1/push/key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushKey {
    /// The VAPID public key: an uncompressed P-256 point, base64url.
    pub public_key: String,
}

/// `PushSubscription.toJSON()` as the browser gives it
/// (`PUT /api/v1/push/subscription`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubscriptionBody {
    pub endpoint: String,
    /// When the browser says the subscription ends (milliseconds since the
    /// epoch), if it says.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub expiration_time: Option<serde_json::Number>,
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes).
    pub p256dh: String,
    /// The authentication secret, base64url (16 bytes).
    pub auth: String,
}

/// `DELETE /api/v1/push/subscription`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    pub endpoint: String,
}
