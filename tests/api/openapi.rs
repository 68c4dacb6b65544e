//! The committed contract: `openapi/openapi.json` must equal what the code
//! serves. `UPDATE_OPENAPI=1 cargo test` rewrites it after a deliberate change.

use std::path::Path;

#[test]
fn the_committed_openapi_spec_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let generated = tessera::api::spec_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date; run `UPDATE_OPENAPI=1 cargo test` and commit it"
    );
}

#[tokio::test]
async fn the_served_spec_is_the_committed_one() {
    let app = crate::helpers::TestApp::spawn().await;
    let served: serde_json::Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let generated: serde_json::Value = serde_json::from_str(&tessera::api::spec_json()).unwrap();
    assert_eq!(served, generated);
}

#[test]
fn every_operation_documents_problem_responses() {
    let spec: serde_json::Value = serde_json::from_str(&tessera::api::spec_json()).unwrap();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let problem = &operation["responses"]["400"]["content"]["application/problem+json"];
            assert!(
                problem.is_object(),
                "{method} {path} does not document problem+json 400"
            );
        }
    }
}
