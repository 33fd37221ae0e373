//! On-site work: cadence visits and service-week actions (collections, complaint
//! follow-ups), one per customer a day, within visits a day (half, rounded up, in the
//! morning). Each goes in its week — the grade's week by the ABCD schedule, the service
//! week for service actions — on the day with the most visits in the customer's region,
//! then the emptiest, then the earliest. When its week has no room it goes to the nearest
//! week that has (later weeks first): handbook 002, `002_d29de148423224f7.txt`, 拜访客户流程
//! (三) 1. 客户分类, "也可以据实情安排ABCD客户拜访计划" — the rep may mix grades in a week as
//! the situation requires. A customer's visits are numbered in date order once placed, so
//! visit 2 never comes before visit 1.

use std::cmp::Reverse;

use super::super::demand::{push_number, Demand};
use super::super::types::{Slot, UnscheduledCause};
use super::{joined, Scheduler, VISIT};
use crate::model::Date;
use crate::policy::{PlanSlot, PLAN_WEEKS};

/// How good a day is for an on-site entry: same-region entries already there (more is
/// better), entries there at all (fewer is better), the day (earlier is better).
type DayScore = (u32, Reverse<u32>, Reverse<usize>);

/// " (4 visits a day)", " (1 visit a day)".
fn visits_a_day(n: u32) -> String {
    format!(" ({n} visit{} a day)", if n == 1 { "" } else { "s" })
}

/// Where an on-site entry can go.
#[derive(Debug, Clone, Copy)]
struct Spot {
    day: usize,
    slot: Slot,
    /// A morning (afternoon) grade in the afternoon (morning): its own slot was full.
    other_slot: bool,
}

/// What happened to one visit of a customer.
enum Placed {
    /// Entry index; the week it was meant for; why it is elsewhere, when it is.
    Entry {
        entry: usize,
        planned: u32,
        moved: Option<&'static str>,
        other_slot: bool,
    },
    /// Unscheduled item index.
    Missed(usize),
}

impl Scheduler<'_> {
    /// The region id of a demand's customer.
    fn region_of(&self, demand: &Demand<'_>) -> Option<usize> {
        demand
            .customer
            .region
            .as_deref()
            .and_then(|r| self.regions.get(r).copied())
    }

    /// The best day of `week` for demand `d` under `slot_rule`, if one has room.
    fn best_day(
        &self,
        d: usize,
        region: Option<usize>,
        week: u32,
        slot_rule: PlanSlot,
    ) -> Option<Spot> {
        // The slots tried, in turn: the grade's own, then the other one.
        let passes: &[(Option<Slot>, bool)] = match slot_rule {
            PlanSlot::Any => &[(None, false)],
            PlanSlot::Morning => &[(Some(Slot::Morning), false), (Some(Slot::Afternoon), true)],
            PlanSlot::Afternoon => &[(Some(Slot::Afternoon), false), (Some(Slot::Morning), true)],
        };
        for &(only, other_slot) in passes {
            let mut best: Option<(DayScore, Spot)> = None;
            for i in self.calendar.working_in_week(week) {
                if self.onsite_days[d].contains(&i) {
                    continue;
                }
                let day = &self.days[i];
                let morning = day.morning < self.morning_cap;
                let afternoon = day.afternoon < self.afternoon_cap;
                let slot = match only {
                    Some(Slot::Morning) => morning.then_some(Slot::Morning),
                    Some(Slot::Afternoon) => afternoon.then_some(Slot::Afternoon),
                    // Afternoons first, so that mornings stay free for morning grades.
                    None if afternoon => Some(Slot::Afternoon),
                    None => morning.then_some(Slot::Morning),
                };
                let Some(slot) = slot else { continue };
                let key = (
                    day.region_count(region),
                    Reverse(day.morning + day.afternoon),
                    Reverse(i),
                );
                if best.as_ref().is_none_or(|(k, _)| key > *k) {
                    best = Some((
                        key,
                        Spot {
                            day: i,
                            slot,
                            other_slot,
                        },
                    ));
                }
            }
            if let Some((_, spot)) = best {
                return Some(spot);
            }
        }
        None
    }

    /// Whether demand `d` already has a cadence visit in `week`.
    fn has_visit_in(&self, d: usize, week: u32) -> bool {
        let range = self.calendar.week_range(week);
        self.visit_days[d].iter().any(|i| range.contains(i))
    }

    /// A spot for an on-site entry meant for `planned`: that week, else the nearest week
    /// with room, later weeks first — for a cadence visit (`spread`), weeks without one of
    /// the customer's visits before weeks with one. With why it is not in `planned`, when it
    /// is not.
    fn find_onsite(
        &self,
        d: usize,
        region: Option<usize>,
        planned: u32,
        slot_rule: PlanSlot,
        spread: bool,
    ) -> Option<(Spot, Option<&'static str>)> {
        let weeks: Vec<u32> = std::iter::once(planned)
            .chain(planned + 1..=PLAN_WEEKS)
            .chain((1..planned).rev())
            .collect();
        let passes: &[bool] = if spread { &[true, false] } else { &[false] };
        for &spread in passes {
            for &week in &weeks {
                if spread && self.has_visit_in(d, week) {
                    continue;
                }
                if let Some(spot) = self.best_day(d, region, week, slot_rule) {
                    let moved = (week != planned).then(|| {
                        if self.calendar.working_in_week(planned).next().is_none() {
                            "has no working day"
                        } else if self.best_day(d, region, planned, slot_rule).is_some() {
                            "already holds one of this customer's visits"
                        } else {
                            "is full"
                        }
                    });
                    return Some((spot, moved));
                }
            }
        }
        None
    }

    /// Takes `spot` for demand `d`'s on-site entry and returns the entry's index.
    fn take_onsite(
        &mut self,
        d: usize,
        demand: &Demand<'_>,
        region: Option<usize>,
        spot: Spot,
        kind: &str,
        reason: String,
    ) -> usize {
        let day = &mut self.days[spot.day];
        match spot.slot {
            Slot::Morning => day.morning += 1,
            Slot::Afternoon => day.afternoon += 1,
        }
        if let Some(region) = region {
            match day.regions.iter_mut().find(|(r, _)| *r == region) {
                Some((_, n)) => *n += 1,
                None => day.regions.push((region, 1)),
            }
        }
        self.onsite_days[d].push(spot.day);
        let entry = self.entry(
            demand,
            self.calendar.date(spot.day),
            spot.slot,
            kind,
            reason,
        );
        let index = self.push(Some(d), entry);
        self.onsite_entries.push((index, d));
        index
    }

    /// Why nothing in the month could take an on-site entry of demand `d`.
    fn onsite_missed(&self, d: usize) -> (UnscheduledCause, String) {
        let free = (0..self.calendar.len())
            .any(|i| self.calendar.working_at(i) && !self.onsite_days[d].contains(&i));
        let month = self.calendar.month();
        if free {
            (
                UnscheduledCause::Capacity,
                format!(
                    "no working day of {month} has room for it{}",
                    visits_a_day(self.request.visits_per_day)
                ),
            )
        } else {
            (
                UnscheduledCause::NoWorkingDay,
                format!("every working day of {month} already holds one of this customer's visits"),
            )
        }
    }

    /// The service-week actions of demand `d` (collections, complaint follow-ups), as visits.
    ///
    /// Handbook 002, `002_d29de148423224f7.txt`, 拜访客户流程 (三) 1.:
    /// "每四个星期应将你的精力集中于客户服务(维修、技术与操作),货品陈列收帐和计划下个月的工作方面".
    pub(super) fn place_service(&mut self, d: usize, demand: &Demand<'_>) {
        let week = self.rules.service_week;
        let region = self.region_of(demand);
        for need in &demand.service {
            match self.find_onsite(d, region, week, PlanSlot::Any, false) {
                Some((spot, moved)) => {
                    let reason = match moved {
                        None => format!(
                            "{}; week {week} is kept for service and collections",
                            need.reason
                        ),
                        Some(why) => format!(
                            "{}; moved from week {week} (kept for service and collections): week {week} {why}{}",
                            need.reason,
                            self.full_text(why)
                        ),
                    };
                    self.take_onsite(d, demand, region, spot, &need.kind, reason);
                }
                None => {
                    let (cause, why) = self.onsite_missed(d);
                    let reason = joined(&[&need.reason, " — not placed: ", &why]);
                    self.unscheduled(
                        demand,
                        &need.kind,
                        Some(week),
                        Some(need.due),
                        cause,
                        reason,
                    );
                }
            }
        }
    }

    /// " (4 visits a day)" after "is full".
    fn full_text(&self, why: &str) -> String {
        if why == "is full" {
            visits_a_day(self.request.visits_per_day)
        } else {
            String::new()
        }
    }

    /// The cadence visits of demand `d`, then their reasons, numbered in date order.
    pub(super) fn place_visits(&mut self, d: usize, demand: &Demand<'_>) {
        if demand.visits.is_empty() {
            return;
        }
        let region = self.region_of(demand);
        let mut placed = Vec::with_capacity(demand.visits.len());
        for need in &demand.visits {
            match self.find_onsite(d, region, need.week, demand.rule.slot, true) {
                Some((spot, moved)) => {
                    let entry = self.take_onsite(d, demand, region, spot, VISIT, String::new());
                    self.visit_days[d].push(spot.day);
                    placed.push(Placed::Entry {
                        entry,
                        planned: need.week,
                        moved,
                        other_slot: spot.other_slot,
                    });
                }
                None => {
                    let (cause, why) = self.onsite_missed(d);
                    let index = self.unscheduled(demand, VISIT, Some(need.week), None, cause, why);
                    placed.push(Placed::Missed(index));
                }
            }
        }
        self.number_visits(demand, placed);
    }

    /// Writes the reason of every visit of a customer: placed visits numbered in date order,
    /// then the unscheduled ones.
    fn number_visits(&mut self, demand: &Demand<'_>, mut placed: Vec<Placed>) {
        let date_of = |p: &Placed, entries: &[super::PlanEntry]| -> Option<Date> {
            match p {
                Placed::Entry { entry, .. } => Some(entries[*entry].date),
                Placed::Missed(_) => None,
            }
        };
        // Placed visits by date; unscheduled ones after them, in the order they were asked.
        placed.sort_by_key(|p| {
            (
                date_of(p, &self.out.entries).is_none(),
                date_of(p, &self.out.entries),
            )
        });
        let text = &demand.visit_text;
        let grade = &demand.rule.grade;
        let home = demand.rule.week;
        for (k, p) in placed.iter().enumerate() {
            let mut reason = String::with_capacity(text.head.len() + text.overdue.len() + 96);
            reason.push_str("visit ");
            push_number(&mut reason, k as u64 + 1);
            reason.push_str(&text.head);
            match *p {
                Placed::Entry {
                    entry,
                    planned,
                    moved,
                    other_slot,
                } => {
                    let date = self.out.entries[entry].date;
                    let week = self.calendar.week_of(date).unwrap_or(planned);
                    reason.push_str("week ");
                    push_number(&mut reason, u64::from(week));
                    match moved {
                        None if week == home => {
                            reason.push_str(" is grade ");
                            reason.push_str(grade);
                            reason.push_str("'s week");
                        }
                        None => {
                            reason.push_str(match text.step {
                                2 => ", two weeks apart from grade ",
                                _ => ", a week apart from grade ",
                            });
                            reason.push_str(grade);
                            reason.push_str("'s week ");
                            push_number(&mut reason, u64::from(home));
                        }
                        Some(why) => {
                            reason.push_str(", moved from week ");
                            push_number(&mut reason, u64::from(planned));
                            reason.push_str(if planned == home {
                                " (grade "
                            } else {
                                " (spread from grade "
                            });
                            reason.push_str(grade);
                            reason.push_str("'s week");
                            if planned != home {
                                reason.push(' ');
                                push_number(&mut reason, u64::from(home));
                            }
                            reason.push_str("): week ");
                            push_number(&mut reason, u64::from(planned));
                            reason.push(' ');
                            reason.push_str(why);
                            reason.push_str(&self.full_text(why));
                        }
                    }
                    if week == self.rules.service_week && week != home {
                        reason.push_str(", the service week");
                    }
                    reason.push_str(text.slot);
                    if other_slot {
                        reason.push_str(match self.out.entries[entry].slot {
                            Slot::Afternoon => "; in the afternoon: the mornings of week ",
                            Slot::Morning => "; in the morning: the afternoons of week ",
                        });
                        push_number(&mut reason, u64::from(week));
                        reason.push_str(" are full");
                    }
                    reason.push_str(&text.overdue);
                    self.out.entries[entry].reason = reason;
                }
                Placed::Missed(index) => {
                    let item = &mut self.out.unscheduled[index];
                    reason.push_str("meant for week ");
                    push_number(&mut reason, u64::from(item.week.unwrap_or(home)));
                    reason.push_str(&text.overdue);
                    reason.push_str(" — not placed: ");
                    reason.push_str(&item.reason);
                    item.reason = reason;
                }
            }
        }
    }
}
