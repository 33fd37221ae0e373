//! Planning a month with the engine: pick the owner's customers, evaluate them as of the
//! month's first day against one policy snapshot (portfolio facts computed across the whole
//! input, as `evaluate` does), then hand the evaluations to the month planner.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{evaluate, evaluate_portfolio, Engine, EvaluateOptions};
use crate::error::{Error, RecordRef, Result};
use crate::model::{portfolio_facts_from, Customer, Date, Evaluation, Facts};
use crate::policy::Policy;
use crate::schedule::plan::{invalid, plan_evaluated, Plan, PlanRequest, PlanRules};

/// How many owners an "unknown owner" error lists.
const LIST_OWNERS: usize = 10;

impl Engine {
    /// Plans a month: the request's owner's customers (every customer when it names none)
    /// are evaluated as of the month's first day, then each gets the visits and calls its
    /// cadence asks for and the actions its evaluation gives, placed by the policy's
    /// `[plan]` rules within the request's capacity. What does not fit is listed in
    /// `unscheduled` with its cause.
    ///
    /// Errors (`invalid input`, naming the request field): a month that is not `YYYY-MM`,
    /// an owner with no customers, no capacity at all, a calendar without a working day,
    /// two customers with the same id. A customer whose evaluation fails fails the plan
    /// with that customer's error.
    ///
    /// ```
    /// use patron::{Engine, PlanRequest};
    /// let engine = Engine::with_default_policy()?;
    /// let customers = vec![patron::model::parse_customer(
    ///     r#"{ "id": "C-1", "owner": "rep-07", "grade": "A", "region": "same_city" }"#,
    /// )?];
    /// let mut request = PlanRequest::for_month("2026-12");
    /// request.owner = Some("rep-07".into());
    /// let plan = engine.plan(&customers, &request)?;
    /// let first_visit = plan.entries.iter().find(|e| e.kind == "visit").unwrap();
    /// assert_eq!(first_visit.week, Some(1));     // A customers in week 1 …
    /// assert_eq!(first_visit.slot.as_str(), "morning"); // … and in the mornings
    /// assert!(plan.entries.iter().any(|e| e.kind == "submit_plan"));
    /// # Ok::<(), patron::Error>(())
    /// ```
    pub fn plan(&self, customers: &[Customer], request: &PlanRequest) -> Result<Plan> {
        self.plan_with(customers, request, &EvaluateOptions::default())
    }

    /// [`plan`](Engine::plan) with the options of its evaluations, e.g. a caller's
    /// [`deadline`](EvaluateOptions::deadline) (a trace is not kept in a plan).
    pub fn plan_with(
        &self,
        customers: &[Customer],
        request: &PlanRequest,
        options: &EvaluateOptions,
    ) -> Result<Plan> {
        let options = EvaluateOptions {
            explain: false,
            ..*options
        };
        let policy = self.policy.load_full();
        let rules = PlanRules::from_manifest(policy.manifest());
        let resolved = request.resolve(&rules)?;
        let selected = select(customers, resolved.owner.as_deref())?;
        let as_of = resolved.month.first_day();
        let evaluations = if selected.len() == customers.len() {
            let all: Vec<&Customer> = customers.iter().collect();
            evaluate_portfolio(&policy, &all, as_of, &options)
        } else {
            evaluate_selected(&policy, customers, &selected, as_of, &options)
        };
        let evaluations: Vec<Evaluation> = evaluations.into_iter().collect::<Result<_>>()?;
        let chosen: Vec<&Customer> = selected.iter().map(|&i| &customers[i]).collect();
        Ok(plan_evaluated(
            &chosen,
            &evaluations,
            &rules,
            &resolved,
            policy.stamp().clone(),
        ))
    }
}

/// Indexes of the customers to plan: the owner's, or all; checks that there are some and
/// that their ids are unique.
fn select(customers: &[Customer], owner: Option<&str>) -> Result<Vec<usize>> {
    if customers.is_empty() {
        return Err(invalid("customers", "the input has no customers to plan"));
    }
    let selected: Vec<usize> = match owner {
        None => (0..customers.len()).collect(),
        Some(owner) => customers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.owner.as_deref() == Some(owner))
            .map(|(i, _)| i)
            .collect(),
    };
    if selected.is_empty() {
        let owners: std::collections::BTreeSet<&str> = customers
            .iter()
            .filter_map(|c| c.owner.as_deref())
            .collect();
        let known = if owners.is_empty() {
            "no customer has an owner".to_string()
        } else {
            let mut list: Vec<&str> = owners.iter().copied().take(LIST_OWNERS).collect();
            if owners.len() > LIST_OWNERS {
                list.push("…");
            }
            format!("owners in the input: {}", list.join(", "))
        };
        return Err(invalid(
            "owner",
            format!(
                "no customer has owner `{}` ({known})",
                owner.unwrap_or_default()
            ),
        ));
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &selected {
        let id = customers[i].id.as_str();
        if let Some(first) = seen.insert(id, i) {
            return Err(Error::InvalidInput {
                record: RecordRef {
                    customer_id: Some(id.to_string()),
                    line: None,
                },
                field: "id".into(),
                message: format!(
                    "customer `{id}` appears twice (records {} and {}); a plan needs unique ids",
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    Ok(selected)
}

/// Evaluates the `selected` customers, with portfolio facts computed across all of them
/// (so that an owner's plan grades customers as an evaluation of the whole input does).
fn evaluate_selected(
    policy: &Policy,
    customers: &[Customer],
    selected: &[usize],
    as_of: Date,
    options: &EvaluateOptions,
) -> Vec<Result<Evaluation>> {
    let all: Vec<&Customer> = customers.iter().collect();
    let facts: Vec<Facts> = all.par_iter().map(|c| Facts::derive(c, as_of)).collect();
    let portfolio = portfolio_facts_from(&all, &facts);
    selected
        .par_iter()
        .map(|&i| {
            let mut own = facts[i].clone();
            if own.portfolio.is_none() {
                own.portfolio = Some(portfolio[i].clone());
            }
            evaluate::evaluate_with_facts(policy, &customers[i], own, options)
        })
        .collect()
}
