//! The planner's rules for one policy: the policy's `[plan]` table with every absent key
//! filled in from the handbook's ABCD rule, so that the scheduler never looks at TOML.

use crate::policy::{Manifest, PlanSlot, PLAN_WEEKS};

/// Visits a day when neither the request nor the policy says.
pub const DEFAULT_VISITS_PER_DAY: u32 = 4;
/// Calls a week when neither the request nor the policy says (handbook 002).
pub const DEFAULT_CALLS_PER_WEEK: u32 = 18;

/// Where one grade's visits go: the week of its first visit of the month, and its slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeRule {
    /// The grade.
    pub grade: String,
    /// Its rank in the scale, 0 for the highest.
    pub rank: usize,
    /// The week (1–4) of the grade's first visit of the month.
    pub week: u32,
    /// Mornings, afternoons, or either.
    pub slot: PlanSlot,
}

/// The month planner's rules of a policy, with defaults filled in.
///
/// ```
/// use patron::schedule::plan::PlanRules;
/// let policy = patron::Policy::embedded_default().unwrap();
/// let rules = PlanRules::from_manifest(policy.manifest());
/// assert_eq!(rules.grade("A").unwrap().week, 1);
/// assert_eq!(rules.grade("D").unwrap().week, 3);
/// assert_eq!(rules.service_week, 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRules {
    /// Visits a day when the request does not say.
    pub visits_per_day: u32,
    /// Calls a week when the request does not say.
    pub calls_per_week: u32,
    /// The week kept for service, collections and next month's plan.
    pub service_week: u32,
    /// Action kinds planned as visits in the service week.
    pub service_actions: Vec<String>,
    /// Working days from a visit to its report.
    pub report_after_working_days: u32,
    /// Days before a receivable's due date that its reminder is planned.
    pub payment_reminder_days: u32,
    /// Whether to plan the "submit next month's plan" entry.
    pub submit_plan: bool,
    grades: Vec<GradeRule>,
}

impl PlanRules {
    /// The rules of a policy: its `[plan]` table, or the ABCD rule where it says nothing.
    ///
    /// The ABCD rule by rank, for any scale: the highest grade in week 1 and in the
    /// mornings, the second grade in week 2, every other grade in week 3; week 4 for
    /// service, collections and the plan.
    pub fn from_manifest(manifest: &Manifest) -> PlanRules {
        let section = manifest.plan.clone().unwrap_or_default();
        let grades = manifest
            .grades
            .scale
            .names()
            .iter()
            .enumerate()
            .map(|(rank, grade)| {
                let (week, slot) = match section.grades.get(grade) {
                    Some(rule) => (rule.week.clamp(1, PLAN_WEEKS), rule.slot),
                    None => match rank {
                        0 => (1, PlanSlot::Morning),
                        1 => (2, PlanSlot::Any),
                        _ => (3, PlanSlot::Any),
                    },
                };
                GradeRule {
                    grade: grade.clone(),
                    rank,
                    week,
                    slot,
                }
            })
            .collect();
        PlanRules {
            visits_per_day: section.visits_per_day.unwrap_or(DEFAULT_VISITS_PER_DAY),
            calls_per_week: section.calls_per_week.unwrap_or(DEFAULT_CALLS_PER_WEEK),
            service_week: section
                .service_week
                .unwrap_or(PLAN_WEEKS)
                .clamp(1, PLAN_WEEKS),
            service_actions: section
                .service_actions
                .unwrap_or_else(|| vec!["collection".into(), "complaint_follow_up".into()]),
            report_after_working_days: section.report_after_working_days.unwrap_or(2),
            payment_reminder_days: section.payment_reminder_days.unwrap_or(3),
            submit_plan: section.submit_plan.unwrap_or(true),
            grades,
        }
    }

    /// The rule of `grade`; `None` for a grade outside the scale.
    pub fn grade(&self, grade: &str) -> Option<&GradeRule> {
        self.grades.iter().find(|g| g.grade == grade)
    }

    /// Every grade's rule, highest grade first.
    pub fn grades(&self) -> &[GradeRule] {
        &self.grades
    }

    /// The grade names, highest first.
    pub fn grade_names(&self) -> Vec<String> {
        self.grades.iter().map(|g| g.grade.clone()).collect()
    }

    /// Whether an action of `kind` is planned in the service week.
    pub fn is_service_action(&self, kind: &str) -> bool {
        self.service_actions.iter().any(|k| k == kind)
    }
}
