//! The planner's rules for one policy: the policy's `[plan]` table with every absent key
//! filled in from the handbook's ABCD rule, so that the scheduler never looks at TOML.

use crate::policy::{Manifest, PlanSlot, PLAN_WEEKS};

/// Visits a day, at most, when neither the request nor the policy says.
pub const DEFAULT_VISITS_PER_DAY: u32 = 4;
/// Phone entries a day, at most, when neither the request nor the policy says. Not from a
/// handbook: 002 asks for callbacks "every day, in batches" (每天…以电话形式分批回访客户)
/// without a number; 30 is the design's example, a capacity to tune.
pub const DEFAULT_CALLS_PER_DAY: u32 = 30;
/// Customers to call back a week, at least, when neither the request nor the policy says.
/// Handbook 002, `002_d29de148423224f7.txt` (客户回访管理制度 1.5): "每周电话回访客户不少于18位"
/// — a minimum workload, never a cap.
pub const DEFAULT_MIN_CALLS_PER_WEEK: u32 = 18;

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
    /// Visits a day, at most, when the request does not say.
    pub visits_per_day: u32,
    /// Phone entries a day, at most, when the request does not say.
    pub calls_per_day: u32,
    /// Customers to call back a week, at least, when the request does not say.
    pub min_calls_per_week: u32,
    /// Whether the policy gave that minimum under the key's old name, `calls_per_week`.
    pub min_from_old_key: bool,
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
    /// Whether to plan the Friday "submit next week's plan" entries.
    pub weekly_plan: bool,
    /// Whether to plan the Saturday "file this week's callback statistics" entries.
    pub callback_statistics: bool,
    grades: Vec<GradeRule>,
}

impl PlanRules {
    /// The rules of a policy: its `[plan]` table, or the ABCD rule where it says nothing.
    ///
    /// The ABCD rule by rank, for any scale: the highest grade in week 1 and in the
    /// mornings, the second grade in week 2, every other grade in week 3; week 4 for
    /// service, collections and the plan.
    //
    // Handbook 002, `002_d29de148423224f7.txt`, 拜访客户流程 (三) 1. 客户分类:
    // "A级客户:应安排在第一个星期出访,相应的,每日里也应该将重要的客户安排在上午拜访",
    // "B级客户:多是安排在第二星期出访", "C、D级客户:应安排在第三个星期出访",
    // "每四个星期应将你的精力集中于客户服务".
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
            calls_per_day: section.calls_per_day.unwrap_or(DEFAULT_CALLS_PER_DAY),
            min_calls_per_week: section
                .min_calls_per_week()
                .unwrap_or(DEFAULT_MIN_CALLS_PER_WEEK),
            min_from_old_key: section.min_calls_per_week.is_none()
                && section.calls_per_week.is_some(),
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
            weekly_plan: section.weekly_plan.unwrap_or(true),
            callback_statistics: section.callback_statistics.unwrap_or(true),
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
