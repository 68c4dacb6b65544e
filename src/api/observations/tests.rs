use serde_json::json;

use super::{TaskState, Verification, verification};

#[test]
fn the_crowds_verdict_becomes_a_verification_status() {
    let confirmed = json!([{"question": "verdict", "label": "confirm", "confidence": 0.97}]);
    let rejected = json!([{"question": "verdict", "label": "reject", "confidence": 0.97}]);
    let cases = [
        (TaskState::Open, &confirmed, Verification::Pending),
        (TaskState::Settled, &confirmed, Verification::Verified),
        (TaskState::Settled, &rejected, Verification::Disputed),
        (TaskState::Escalated, &confirmed, Verification::Disputed),
        (
            TaskState::Resolved,
            &json!({"verdict": "confirm"}),
            Verification::Verified,
        ),
        (
            TaskState::Resolved,
            &json!({"verdict": "reject"}),
            Verification::Disputed,
        ),
    ];
    for (state, consensus, expected) in cases {
        assert_eq!(
            verification(state, consensus),
            expected,
            "{state:?} {consensus}"
        );
    }
}
