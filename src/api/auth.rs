//! Who is calling. Holding a `Caller` proves the request carried a genuine,
//! unexpired access token; role checks are one method call away.

use std::sync::Arc;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use super::error::ApiError;
use crate::domain::account::Role;
use crate::security::tokens::{Claims, TokenService};

/// An access token from `POST /v1/auth/login`, sent as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_token")]
pub struct Caller(pub Claims);

async fn check_token(req: &Request, bearer: Bearer) -> Option<Claims> {
    req.data::<Arc<TokenService>>()?.verify(&bearer.token)
}

impl Caller {
    pub fn account_id(&self) -> uuid::Uuid {
        self.0.sub
    }

    /// Forbids the call unless the caller holds `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.0.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "This needs the {} role.",
                role.as_str()
            )))
        }
    }
}
