//! `GET /api/v1/openapi.json` serves the OpenAPI 3.1 document of the JSON
//! API: every endpoint, the wire types and the bearer scheme. The document
//! does not depend on the database, so SQLite alone is enough.

use crate::support::{TestApp, TestDb};
use serde_json::Value;

/// Every JSON endpoint the router serves.
const PATHS: [&str; 11] = [
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
    "/api/v1/sync/push",
    "/api/v1/sync/pull",
    "/api/v1/attachments/{sha256}",
    "/api/v1/attachments/{sha256}/upload",
    "/api/v1/cases/{id}/lock",
    "/api/v1/devices",
    "/api/v1/devices/{id}/revoke",
    "/healthz",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_every_endpoint_its_types_and_the_bearer_scheme() {
    let db = TestDb::migrated(crate::support::Kind::Sqlite).await;
    let app = TestApp::spawn(&db).await;

    // no token needed
    let res = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = res.json().await.unwrap();

    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "OpenAPI 3.x, got {version:?}");
    assert!(doc["info"]["title"].as_str().unwrap().contains("调解通"));
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let paths = doc["paths"].as_object().expect("paths");
    for path in PATHS {
        assert!(paths.contains_key(path), "{path} is documented");
    }

    // push takes a PushRequest and needs the bearer token
    let push = &doc["paths"]["/api/v1/sync/push"]["post"];
    assert_eq!(
        push["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PushRequest"
    );
    assert!(
        push["security"].to_string().contains("bearer"),
        "{}",
        push["security"]
    );
    // errors are `{code, message, field?}`
    assert_eq!(
        push["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );

    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(scheme["scheme"], "bearer", "{scheme}");

    let schemas = &doc["components"]["schemas"];
    let required: Vec<&str> = schemas["Mutation"]["required"]
        .as_array()
        .expect("Mutation lists its required fields")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "seq",
        "mutation_id",
        "entity",
        "entity_id",
        "op",
        "base_version",
    ] {
        assert!(required.contains(&field), "{field} in {required:?}");
    }
    assert!(
        !required.contains(&"payload"),
        "payload is absent for a delete"
    );
    for name in ["PushResponse", "PullResponse", "UploadStatus", "ErrorBody"] {
        assert!(schemas.get(name).is_some(), "{name} is a component schema");
    }
    assert!(
        schemas["ErrorBody"]["required"]
            .as_array()
            .unwrap()
            .contains(&Value::from("code"))
    );

    drop(app);
    db.cleanup().await;
}
