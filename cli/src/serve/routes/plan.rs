//! `POST /v1/plan`: the month planner over the posted customers, as JSON, iCalendar, HTML or
//! CSV by `Accept`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::super::body;
use super::super::budget::{run_blocking, Budget};
use super::super::errors::{ApiError, ErrorEnvelope};
use super::super::state::Shared;
use super::envelope;
use crate::output::plan::{render as render_plan, PlanFormat};

/// The body of `POST /v1/plan`.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation only: `PlanEnvelope` reads the body
pub struct PlanBody {
    /// The month, the rep and the capacities.
    pub request: patron::PlanRequest,
    /// The customers; those of `request.owner` are planned, with portfolio facts computed
    /// over all of them.
    pub customers: Vec<patron::Customer>,
}

/// The body as read: both parts kept as JSON text for the library.
#[derive(Deserialize)]
struct PlanEnvelope<'a> {
    #[serde(borrow)]
    request: &'a RawValue,
    #[serde(borrow)]
    customers: &'a RawValue,
}

/// The representations offered, in order of preference for `*/*`.
const OFFERED: [(&str, PlanFormat); 4] = [
    ("application/json", PlanFormat::Json),
    ("text/calendar", PlanFormat::Ics),
    ("text/html", PlanFormat::Html),
    ("text/csv", PlanFormat::Csv),
];

/// The format `Accept` asks for (the first listed that is offered; `q` weights are
/// ordered, `q=0` excluded); JSON when absent.
fn negotiate(headers: &HeaderMap) -> Result<(&'static str, PlanFormat), ApiError> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(OFFERED[0]);
    };
    let text = accept.to_str().unwrap_or("");
    let mut ranges: Vec<(f32, usize, String)> = text
        .split(',')
        .enumerate()
        .filter_map(|(i, range)| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0 && !media.is_empty()).then_some((q, i, media))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, media) in &ranges {
        if media == "*/*" || media == "application/*" {
            return Ok(OFFERED[0]);
        }
        if media == "text/*" {
            return Ok(OFFERED[2]);
        }
        if let Some(found) = OFFERED.iter().find(|(m, _)| m == media) {
            return Ok(*found);
        }
    }
    Err(ApiError::not_acceptable(
        text,
        "application/json, text/calendar, text/html and text/csv",
    ))
}

/// Plan a month of calls and visits for a rep.
///
/// The request's owner's customers (all when it names none) are evaluated as of the
/// month's first day and placed by the policy's `[plan]` rules within the request's
/// capacity; what does not fit is listed in `unscheduled`. `Accept` picks the format.
#[utoipa::path(
    post,
    path = "/v1/plan",
    tag = "decisions",
    request_body(content = PlanBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The month's plan", content(
            (patron::Plan = "application/json"),
            (String = "text/calendar"),
            (String = "text/html"),
            (String = "text/csv"),
        )),
        (status = 400, description = "Malformed JSON", body = ErrorEnvelope),
        (status = 406, description = "No format of `Accept` is offered", body = ErrorEnvelope),
        (status = 413, description = "Body over the limit", body = ErrorEnvelope),
        (status = 422, description = "An invalid request field or customer", body = ErrorEnvelope),
        (status = 503, description = "The time budget ran out", body = ErrorEnvelope),
    ),
    security((), ("bearer" = [])),
)]
pub async fn plan(
    State(state): State<Shared>,
    headers: HeaderMap,
    request: Body,
) -> Result<Response, ApiError> {
    let (media, format) = negotiate(&headers)?;
    body::kind(&headers, false)?;
    let budget = Budget::start(state.config.budget);
    let text = body::text(&headers, request, state.config.max_body_bytes, &budget).await?;
    let job = state.clone();
    let deadline = budget.deadline;
    let rendered = run_blocking(&state, &budget, move || {
        let parts: PlanEnvelope = envelope(&text)?;
        let plan = job
            .served
            .plan(parts.customers.get(), parts.request.get(), deadline)
            .map_err(|e| ApiError::from_library(&e))?;
        Ok::<_, ApiError>(render_plan(&plan, format))
    })
    .await??;
    let content_type = match format {
        PlanFormat::Json => "application/json".to_string(),
        _ => format!("{media}; charset=utf-8"),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], rendered).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> Result<PlanFormat, u16> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&headers)
            .map(|(_, f)| f)
            .map_err(|e| e.status.as_u16())
    }

    #[test]
    fn accept_picks_the_format() {
        assert_eq!(negotiate(&HeaderMap::new()).unwrap().1, PlanFormat::Json);
        assert_eq!(accept("text/calendar"), Ok(PlanFormat::Ics));
        assert_eq!(
            accept("text/html,application/xhtml+xml"),
            Ok(PlanFormat::Html)
        );
        assert_eq!(
            accept("text/csv;q=0.5, text/html;q=0.9"),
            Ok(PlanFormat::Html)
        );
        assert_eq!(accept("image/png, */*;q=0.1"), Ok(PlanFormat::Json));
        assert_eq!(accept("text/html;q=0, text/csv"), Ok(PlanFormat::Csv));
        assert_eq!(accept("image/png"), Err(406));
    }
}
