//! Numbers and dates written as text digit by digit, as their `Display` writes them but
//! without the formatting machinery: results and reasons write many of them (rule lines,
//! integers interpolated into reasons, the dates of every evaluation).

use chrono::Datelike;

use super::date::Date;

/// Appends the decimal digits of `n` (`promote.rhai:` + 40 → `promote.rhai:40`).
pub(crate) fn push_decimal(into: &mut String, n: u64) {
    // itoa writes two digits at a time into its own buffer; one copy into `into`.
    into.push_str(itoa::Buffer::new().format(n));
}

/// `date` as `Display` writes it (`2026-11-23`), for the years 0–9999; `None` for the
/// others, which chrono writes with a sign or more digits.
pub(crate) fn date_digits(date: Date) -> Option<[u8; 10]> {
    let year = u32::try_from(date.year())
        .ok()
        .filter(|year| *year <= 9999)?;
    let mut text = *b"0000-00-00";
    for (at, mut n, width) in [(0, year, 4), (5, date.month(), 2), (8, date.day(), 2)] {
        for k in (at..at + width).rev() {
            text[k] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Integers as `Display` writes them, at the edges of `u64`.
    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut text = String::from("x");
            push_decimal(&mut text, n);
            assert_eq!(text, format!("x{n}"));
        }
    }
}
