//! The OpenAPI 3.1 document of the server, generated from the code by `utoipa`: the paths
//! from the handlers' `#[utoipa::path]` attributes, the schemas from the library's own
//! types (`patron`'s `openapi` feature derives them) and the server's.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::errors::{ErrorDetail, ErrorEnvelope};
use super::routes::{diff, evaluate, ops, plan, policy, workbench};
use super::stream::PortfolioSource;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "patron decision service",
        description = "Grades, development stages, scores and call/visit cadence of customers by \
                       policy, as `patron serve` answers them. Errors are \
                       `{\"error\":{\"code\",\"kind\",\"message\"}}` with the library's codes \
                       (below 20) or the server's (from 20).",
    ),
    paths(
        evaluate::evaluate,
        plan::plan,
        diff::diff,
        policy::show,
        policy::reload,
        ops::healthz,
        ops::readyz,
        ops::metrics,
        ops::openapi,
        workbench::list_files,
        workbench::example,
        workbench::check,
        workbench::completions,
        workbench::evaluate,
        workbench::test,
        workbench::compare,
        workbench::plan,
        workbench::save,
    ),
    components(schemas(ErrorEnvelope, ErrorDetail, PortfolioSource)),
    modifiers(&BearerToken),
    tags(
        (name = "decisions", description = "Evaluate customers and plan months"),
        (name = "policy", description = "The served policy: show, reload, compare a candidate"),
        (name = "operations", description = "Probes, metrics and this document"),
        (name = "workbench", description = "The policy workbench at `/`: read, check, try, test, compare, plan and save a policy being edited"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer token scheme the routes refer to.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Required when the server has a --token-file (always beyond loopback); \
                         without it only the read-only workbench answers",
                    ))
                    .build(),
            ),
        );
    }
}
