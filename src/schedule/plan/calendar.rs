//! The working calendar of a plan: which days of the month are worked (weekdays, extra
//! working dates, holidays), the four weeks of the month (days 1–7, 8–14, 15–21, 22 to the
//! end), and working-day arithmetic ("two working days later", "the working day before").

use std::collections::BTreeSet;

use chrono::{Datelike, Duration};

use super::request::Month;
use crate::model::Date;
use crate::policy::PLAN_WEEKS;

/// How far working-day arithmetic looks past the month before it gives up.
const SEARCH_DAYS: i64 = 366;

/// Which days are worked, for the planned month and the days after it.
#[derive(Debug, Clone)]
pub(crate) struct WorkCalendar {
    month: Month,
    /// Working weekdays, by `num_days_from_monday`.
    weekdays: [bool; 7],
    extra: BTreeSet<Date>,
    holidays: BTreeSet<Date>,
    /// Per day of the month (index 0 is the 1st): worked or not.
    working: Vec<bool>,
}

impl WorkCalendar {
    pub(crate) fn new(
        month: Month,
        weekdays: &BTreeSet<u32>,
        extra: BTreeSet<Date>,
        holidays: BTreeSet<Date>,
    ) -> WorkCalendar {
        let mut days = [false; 7];
        for &d in weekdays {
            if let Some(slot) = days.get_mut(d as usize) {
                *slot = true;
            }
        }
        let mut calendar = WorkCalendar {
            month,
            weekdays: days,
            extra,
            holidays,
            working: Vec::new(),
        };
        calendar.working = (0..month.len())
            .map(|i| calendar.is_working(month.first_day() + Duration::days(i64::from(i))))
            .collect();
        calendar
    }

    /// The planned month.
    pub(crate) fn month(&self) -> Month {
        self.month
    }

    /// Whether `date` (in the month or not) is a working day.
    pub(crate) fn is_working(&self, date: Date) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        self.extra.contains(&date) || self.weekdays[date.weekday().num_days_from_monday() as usize]
    }

    /// Days in the month.
    pub(crate) fn len(&self) -> usize {
        self.working.len()
    }

    /// The date of day index `i` (0 is the 1st).
    pub(crate) fn date(&self, i: usize) -> Date {
        self.month.first_day() + Duration::days(i as i64)
    }

    /// Day index of `date` when it is in the month.
    pub(crate) fn index(&self, date: Date) -> Option<usize> {
        let i = (date - self.month.first_day()).num_days();
        (i >= 0 && (i as usize) < self.working.len()).then_some(i as usize)
    }

    /// Whether day index `i` is worked.
    pub(crate) fn working_at(&self, i: usize) -> bool {
        self.working.get(i).copied().unwrap_or(false)
    }

    /// Working days in the month.
    pub(crate) fn working_day_count(&self) -> usize {
        self.working.iter().filter(|w| **w).count()
    }

    /// The week (1–4) of day index `i`.
    pub(crate) fn week_of_index(i: usize) -> u32 {
        ((i / 7) as u32 + 1).min(PLAN_WEEKS)
    }

    /// The week (1–4) of `date`, when it is in the month.
    pub(crate) fn week_of(&self, date: Date) -> Option<u32> {
        self.index(date).map(Self::week_of_index)
    }

    /// Day indexes of week `week` (1–4): 0..7, 7..14, 14..21, 21..end.
    pub(crate) fn week_range(&self, week: u32) -> std::ops::Range<usize> {
        let start = ((week.clamp(1, PLAN_WEEKS) - 1) * 7) as usize;
        let end = if week >= PLAN_WEEKS {
            self.len()
        } else {
            start + 7
        };
        start..end.min(self.len())
    }

    /// Working day indexes of week `week`.
    pub(crate) fn working_in_week(&self, week: u32) -> impl Iterator<Item = usize> + '_ {
        self.week_range(week).filter(|&i| self.working[i])
    }

    /// Days in week `week` (7, or 7–10 for week 4).
    pub(crate) fn week_days(&self, week: u32) -> usize {
        self.week_range(week).len()
    }

    /// The latest working day index at or before day index `i` and not before `floor`.
    pub(crate) fn working_at_or_before(&self, i: usize, floor: usize) -> Option<usize> {
        (floor..=i.min(self.len().saturating_sub(1)))
            .rev()
            .find(|&j| self.working_at(j))
    }

    /// The last working day of the month.
    pub(crate) fn last_working_day(&self) -> Option<Date> {
        (0..self.len())
            .rev()
            .find(|&i| self.working[i])
            .map(|i| self.date(i))
    }

    /// The `n`-th working day after `date` (in or after the month).
    pub(crate) fn add_working_days(&self, date: Date, n: u32) -> Option<Date> {
        if n == 0 {
            return Some(date);
        }
        let mut left = n;
        let mut day = date;
        for _ in 0..SEARCH_DAYS {
            day += Duration::days(1);
            if self.is_working(day) {
                left -= 1;
                if left == 0 {
                    return Some(day);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn december(holidays: &[&str]) -> WorkCalendar {
        let month = Month::parse("2026-12").unwrap();
        let holidays = holidays
            .iter()
            .map(|d| crate::model::parse_date(d).unwrap())
            .collect();
        WorkCalendar::new(month, &(0..5).collect(), BTreeSet::new(), holidays)
    }

    #[test]
    fn weeks_split_the_month_into_seven_day_blocks_and_a_long_fourth() {
        let calendar = december(&[]);
        assert_eq!(calendar.week_range(1), 0..7);
        assert_eq!(calendar.week_range(4), 21..31);
        assert_eq!(WorkCalendar::week_of_index(30), 4);
        assert_eq!(calendar.working_day_count(), 23);
        assert_eq!(calendar.working_in_week(1).count(), 5);
    }

    #[test]
    fn working_day_arithmetic_skips_weekends_and_holidays() {
        let calendar = december(&["2027-01-01"]);
        let d = |s: &str| crate::model::parse_date(s).unwrap();
        // Wednesday 30 December + 2 working days: Thursday 31, (Friday 1 January is a
        // holiday, then the weekend), Monday 4 January.
        assert_eq!(
            calendar.add_working_days(d("2026-12-30"), 2),
            Some(d("2027-01-04"))
        );
        assert_eq!(calendar.last_working_day(), Some(d("2026-12-31")));
        // Saturday 5 December (index 4) → Friday 4 (index 3); nothing before Tuesday 1.
        assert_eq!(calendar.working_at_or_before(4, 0), Some(3));
        assert_eq!(calendar.working_at_or_before(4, 4), None);
        assert_eq!(calendar.week_days(4), 10);
    }
}
