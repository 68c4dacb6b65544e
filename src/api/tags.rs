use poem_openapi::Tags;

/// Groups of operations in the API documentation.
#[derive(Tags)]
pub enum ApiTags {
    /// Registration, login and tokens.
    Accounts,
    /// The signed-in person's own data.
    Me,
    /// Administration of accounts and roles.
    Admin,
    /// Health, readiness and metrics for operators.
    Operations,
}
