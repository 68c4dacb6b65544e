use reqwest::StatusCode;

use crate::helpers::{TestApp, expect_problem};

#[tokio::test]
async fn an_unknown_path_is_a_problem_not_found() {
    let app = TestApp::spawn().await;
    expect_problem(
        app.get("/v1/nothing-here", None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_wrong_method_is_a_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .delete(app.url("/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    expect_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    // A path with parameters says what it does take.
    let batch = uuid::Uuid::new_v4();
    let response = app
        .client
        .put(app.url(&format!("/v1/batches/{batch}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET, PATCH");
}

#[tokio::test]
async fn malformed_json_is_a_problem_bad_request() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_missing_field_is_a_problem_bad_request() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/v1/auth/login",
            &serde_json::json!({"email": "a@b.cd"}),
            None,
        )
        .await;
    let problem = expect_problem(response, StatusCode::BAD_REQUEST).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("LoginRequest"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_a_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("email=a")
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    let generated = app.get("/healthz", None).await;
    assert_eq!(generated.headers()["x-request-id"].len(), 36);
}

#[tokio::test]
async fn metrics_count_requests_by_status() {
    let app = TestApp::spawn().await;
    app.get("/healthz", None).await;
    app.get("/v1/nothing-here", None).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        text.contains("tessera_http_requests_total{method=\"GET\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("tessera_http_requests_total{method=\"GET\",status=\"404\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}
