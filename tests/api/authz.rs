//! The authorisation matrix. Every operation in the published spec is called
//! by five kinds of caller: nobody (no token), a contributor, a researcher
//! of another project, the project's own researcher and an admin. Each
//! outcome must match the operation's access rule in `ACCESS` below; no call
//! may end in a 5xx, and every error must be `application/problem+json`.
//!
//! Path parameters are filled twice: once with the fixture's real project,
//! batch and task (so ownership is what decides), once with random UUIDs
//! (so a missing record is a 404, never a leak or a crash). Request bodies
//! are built from the spec's own schemas, so that the body parses and the
//! access rule, not a parse error, decides the outcome.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use tessera::domain::account::Role;

use crate::helpers::{Person, TestApp, task_ids};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// No token needed (a wrong password or refresh token may still be a 401).
    Public,
    /// Anyone signed in. Records that belong to someone (a certificate, a
    /// photo) are looked up by id; with ids that are not theirs the answer
    /// is 404, never 401 or 403.
    SignedIn,
    /// Accounts holding the researcher role.
    Researcher,
    /// The researcher who owns the project (or the batch's or task's
    /// project), or an admin.
    ProjectOwner,
    /// Admins only.
    Admin,
}

/// Every operation's access rule, by operation id. A new operation fails
/// the test until it is listed here: deciding who may call it is part of
/// adding it.
const ACCESS: &[(&str, Access)] = &[
    ("register_account", Access::Public),
    ("create_login", Access::Public),
    ("create_sign_on", Access::Public),
    ("create_sign_on_callback", Access::Public),
    ("create_refresh", Access::Public),
    ("create_logout", Access::Public),
    ("get_health", Access::Public),
    ("get_readiness", Access::Public),
    ("get_metrics", Access::Public),
    ("verify_certificate", Access::Public),
    ("get_certificate_public_key", Access::Public),
    ("get_revocation_status_list", Access::Public),
    ("create_credential_verification", Access::Public),
    ("get_me", Access::SignedIn),
    ("update_me", Access::SignedIn),
    ("get_my_export", Access::SignedIn),
    ("delete_me", Access::SignedIn),
    ("list_projects", Access::SignedIn),
    ("get_project", Access::SignedIn),
    ("create_session", Access::SignedIn),
    ("create_answers", Access::SignedIn),
    ("get_my_credits", Access::SignedIn),
    ("get_my_impact", Access::SignedIn),
    ("create_certificate", Access::SignedIn),
    ("get_certificate_pdf", Access::SignedIn),
    ("get_certificate_credential", Access::Public),
    ("revoke_certificate", Access::SignedIn),
    ("get_media", Access::SignedIn),
    ("create_observation", Access::SignedIn),
    ("attach_observation_photo", Access::SignedIn),
    ("get_observation_form", Access::SignedIn),
    ("create_project", Access::Researcher),
    ("list_my_projects", Access::Researcher),
    ("update_project", Access::ProjectOwner),
    ("create_batch", Access::ProjectOwner),
    ("list_batches", Access::ProjectOwner),
    ("get_batch", Access::ProjectOwner),
    ("update_batch", Access::ProjectOwner),
    ("get_batch_results", Access::ProjectOwner),
    ("get_batch_report", Access::ProjectOwner),
    ("get_resolver_queue", Access::ProjectOwner),
    ("create_resolution", Access::ProjectOwner),
    ("get_project_engagement", Access::ProjectOwner),
    ("update_user_roles", Access::Admin),
    ("find_users", Access::Admin),
    ("list_organisations", Access::Public),
    ("confirm_email", Access::Public),
    ("send_email_confirmation", Access::SignedIn),
    ("create_organisation", Access::Admin),
    ("update_organisation", Access::Admin),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Contributor,
    OtherResearcher,
    Owner,
    Admin,
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Contributor,
    Caller::OtherResearcher,
    Caller::Owner,
    Caller::Admin,
];

/// The class of outcome a call must have.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// 401: no token where one is needed.
    Unauthorized,
    /// 403; or 404 when the path names records that do not exist, since a
    /// handler looks the record up before it can tell whose it is.
    Forbidden,
    /// Let through: anything but 401, 403 and 5xx.
    Allowed,
    /// Only the general rules apply (no 5xx, problem+json errors).
    Any,
}

fn expect(access: Access, caller: Caller) -> Expect {
    use Caller::*;
    match (access, caller) {
        (Access::Public, _) => Expect::Any,
        (_, Anonymous) => Expect::Unauthorized,
        (Access::SignedIn, _) => Expect::Allowed,
        (Access::Researcher, OtherResearcher | Owner) => Expect::Allowed,
        (Access::Researcher, _) => Expect::Forbidden,
        (Access::ProjectOwner, Owner | Admin) => Expect::Allowed,
        (Access::ProjectOwner, _) => Expect::Forbidden,
        (Access::Admin, Admin) => Expect::Allowed,
        (Access::Admin, _) => Expect::Forbidden,
    }
}

fn outcome_matches(expected: Expect, status: StatusCode, ids_are_real: bool) -> bool {
    let code = status.as_u16();
    match expected {
        Expect::Unauthorized => code == 401,
        Expect::Forbidden => code == 403 || (!ids_are_real && code == 404),
        Expect::Allowed => code != 401 && code != 403,
        Expect::Any => true,
    }
}

/// One operation from the spec.
struct Operation {
    id: String,
    method: Method,
    path: String,
    spec: Value,
}

impl Operation {
    fn has_path_parameters(&self) -> bool {
        self.path.contains('{')
    }

    fn declares_security(&self) -> bool {
        self.spec["security"]
            .as_array()
            .is_some_and(|schemes| !schemes.is_empty())
    }
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            found.push(Operation {
                id: op["operationId"].as_str().expect("operationId").to_owned(),
                method,
                path: path.clone(),
                spec: op.clone(),
            });
        }
    }
    // Deleting runs last: it may remove the caller's own account.
    found.sort_by_key(|op| op.method == Method::DELETE);
    found
}

/// The fixture: four people, and a live project with a batch and a task.
struct World {
    app: TestApp,
    spec: Value,
    contributor: Person,
    other: Person,
    owner: Person,
    admin: Person,
    project: String,
    batch: String,
    task: String,
}

impl World {
    async fn build() -> Self {
        // Every person here logs in from 127.0.0.1, and the matrix calls
        // the login operation five more times.
        let app = TestApp::spawn_with(|settings| settings.login_attempts = 1_000).await;
        let contributor = app.person("contributor@authz.test", &[]).await;
        let other = app.person("other@authz.test", &[Role::Researcher]).await;
        let owner = app.person("owner@authz.test", &[Role::Researcher]).await;
        let admin = app.person("admin@authz.test", &[Role::Admin]).await;
        let project = app.live_project(&owner).await;
        let batch = app.screening_batch(&owner, &project, 3, json!({})).await;
        let session = app.claim(&contributor, 5).await;
        let task = task_ids(&session).first().expect("a task").clone();
        Self {
            app,
            spec: serde_json::from_str(&tessera::api::spec_json()).expect("spec is JSON"),
            contributor,
            other,
            owner,
            admin,
            project,
            batch,
            task,
        }
    }

    fn token(&self, caller: Caller) -> Option<&str> {
        let person = match caller {
            Caller::Anonymous => return None,
            Caller::Contributor => &self.contributor,
            Caller::OtherResearcher => &self.other,
            Caller::Owner => &self.owner,
            Caller::Admin => &self.admin,
        };
        Some(&person.access_token)
    }

    /// The path with its parameters filled: the fixture's records, or random ids.
    fn path(&self, op: &Operation, real: bool) -> String {
        let mut path = op.path.clone();
        while let Some(start) = path.find('{') {
            let end = path[start..].find('}').expect("closing brace") + start;
            let name = &path[start + 1..end];
            let value = match (real, name) {
                (true, "project_id") => self.project.clone(),
                (true, "batch_id") => self.batch.clone(),
                (true, "task_id") => self.task.clone(),
                _ => uuid::Uuid::new_v4().to_string(),
            };
            path.replace_range(start..=end, &value);
        }
        let query: Vec<String> = op.spec["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| {
                let value = Example::new(&self.spec).of(&p["schema"]);
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                format!("{}={text}", p["name"].as_str().expect("name"))
            })
            .collect();
        if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }

    async fn call(&self, op: &Operation, caller: Caller, real: bool) -> (StatusCode, String) {
        let mut request = self
            .app
            .client
            .request(op.method.clone(), self.app.url(&self.path(op, real)));
        if let Some(token) = self.token(caller) {
            request = request.bearer_auth(token);
        }
        let content = &op.spec["requestBody"]["content"];
        if let Some((media_type, body)) = content.as_object().and_then(|c| c.iter().next()) {
            let example = Example::new(&self.spec);
            if media_type.starts_with("multipart/form-data") {
                request = request.multipart(example.form(&body["schema"]));
            } else if media_type.contains("json") {
                request = request.json(&example.of(&body["schema"]));
            } else {
                request = request
                    .header("content-type", media_type.as_str())
                    .body("example");
            }
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type)
    }
}

/// Builds the smallest body a schema accepts: required fields only, first
/// enum values, one item per array.
struct Example<'a> {
    components: &'a Value,
}

impl<'a> Example<'a> {
    fn new(spec: &'a Value) -> Self {
        Self {
            components: &spec["components"]["schemas"],
        }
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.rsplit('/').next().expect("schema name");
                &self.components[name]
            }
            None => schema,
        }
    }

    fn of(&self, schema: &Value) -> Value {
        let schema = self.resolve(schema);
        for combinator in ["allOf", "oneOf", "anyOf"] {
            if let Some(first) = schema[combinator].as_array().and_then(|all| all.first()) {
                return self.of(first);
            }
        }
        if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
            return first.clone();
        }
        match schema["type"].as_str() {
            Some("object") => {
                let mut object = Map::new();
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().expect("property name");
                    object.insert(name.to_owned(), self.of(&schema["properties"][name]));
                }
                Value::Object(object)
            }
            Some("array") => json!([self.of(&schema["items"])]),
            Some("integer") | Some("number") => {
                let low = schema["minimum"].as_f64().unwrap_or(1.0).max(1.0);
                let value = schema["maximum"].as_f64().map_or(low, |high| low.min(high));
                json!(value as i64)
            }
            Some("boolean") => json!(false),
            Some("string") => match schema["format"].as_str() {
                Some("uuid") => json!(uuid::Uuid::new_v4()),
                Some("date-time") => json!("2025-01-01T00:00:00Z"),
                Some("date") => json!("2025-01-01"),
                Some("email") => json!("someone@example.org"),
                _ => {
                    let length = schema["minLength"].as_u64().unwrap_or(1).max(7) as usize;
                    Value::String("example".repeat(length.div_ceil(7))[..length].to_owned())
                }
            },
            _ => json!({}),
        }
    }

    /// A multipart form with every required part: files for binary
    /// properties, JSON text for the rest.
    fn form(&self, schema: &Value) -> reqwest::multipart::Form {
        let schema = self.resolve(schema);
        let mut form = reqwest::multipart::Form::new();
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().expect("part name").to_owned();
            let part = &schema["properties"][&name];
            form = if part["format"] == "binary" {
                form.part(
                    name,
                    reqwest::multipart::Part::bytes(b"title\nExample paper\n".to_vec())
                        .file_name("example.csv"),
                )
            } else {
                let value = self.of(part);
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                form.text(name, text)
            };
        }
        form
    }
}

#[tokio::test]
async fn every_operation_treats_each_kind_of_caller_as_its_access_rule_says() {
    let world = World::build().await;
    let operations = operations(&world.spec);
    let mut failures = Vec::new();

    let known: Vec<&str> = operations.iter().map(|op| op.id.as_str()).collect();
    for (id, _) in ACCESS {
        if !known.contains(id) {
            failures.push(format!("{id}: listed in ACCESS but not in the spec"));
        }
    }

    let mut calls = 0;
    for op in &operations {
        let Some(access) = ACCESS.iter().find(|(id, _)| *id == op.id).map(|(_, a)| *a) else {
            failures.push(format!(
                "{} {} ({}): not in ACCESS; say who may call it",
                op.method, op.path, op.id
            ));
            continue;
        };
        if (access == Access::Public) == op.declares_security() {
            failures.push(format!(
                "{}: ACCESS says {access:?} but the spec's security says otherwise",
                op.id
            ));
        }
        let passes: &[bool] = if op.has_path_parameters() {
            &[true, false]
        } else {
            &[true]
        };
        for &real in passes {
            for caller in CALLERS {
                let (status, content_type) = world.call(op, caller, real).await;
                calls += 1;
                let expected = expect(access, caller);
                let ids = if real { "real ids" } else { "random ids" };
                let what = format!("{} {} as {caller:?} with {ids}", op.method, op.path);
                if status.is_server_error() {
                    failures.push(format!("{what}: {status}"));
                }
                if !outcome_matches(expected, status, real) {
                    failures.push(format!("{what}: expected {expected:?}, got {status}"));
                }
                if status.is_client_error() && content_type != "application/problem+json" {
                    failures.push(format!("{what}: {status} as {content_type:?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls broke the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every operation was called by every kind of caller at least once.
    assert!(calls >= operations.len() * CALLERS.len());
}

#[test]
fn the_matrix_forbids_and_allows_what_the_rules_say() {
    assert_eq!(
        expect(Access::ProjectOwner, Caller::OtherResearcher),
        Expect::Forbidden
    );
    assert_eq!(expect(Access::ProjectOwner, Caller::Admin), Expect::Allowed);
    assert_eq!(expect(Access::Admin, Caller::Owner), Expect::Forbidden);
    assert_eq!(
        expect(Access::SignedIn, Caller::Anonymous),
        Expect::Unauthorized
    );
    assert!(outcome_matches(
        Expect::Forbidden,
        StatusCode::NOT_FOUND,
        false
    ));
    assert!(!outcome_matches(
        Expect::Forbidden,
        StatusCode::NOT_FOUND,
        true
    ));
    assert!(!outcome_matches(
        Expect::Allowed,
        StatusCode::FORBIDDEN,
        true
    ));
}
