use poem_openapi::Tags;

/// Groups of operations in the API documentation.
#[derive(Tags)]
pub enum ApiTags {
    /// Registration, login and tokens.
    Accounts,
    /// The signed-in person's own data.
    Me,
    /// Research projects: what staff may join, and what researchers run.
    Projects,
    /// Batches of tasks: upload, progress and results.
    Batches,
    /// The five-minute loop: claim a bundle, send answers.
    Sessions,
    /// Observations logged on the ward, their photos and their verification.
    Observations,
    /// Consensus quality: resolver queue, agreement reports, engagement.
    Quality,
    /// Credited time, what your work achieved, and signed contribution
    /// certificates that anyone can verify.
    Credits,
    /// Administration of accounts and roles.
    Admin,
    /// Health, readiness and metrics for operators.
    Operations,
}
