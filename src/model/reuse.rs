//! Copying into values that a reused result or script view already holds: the work skipped
//! where both sides are empty, which is most of the time for the optional parts of a record.

/// Makes `into` a copy of `from` (`Option::clone_from`), doing nothing when both are `None`.
#[inline]
pub(crate) fn clone_option_from<T: Clone>(into: &mut Option<T>, from: &Option<T>) {
    if into.is_some() || from.is_some() {
        into.clone_from(from);
    }
}

#[cfg(test)]
mod tests {
    use super::clone_option_from;

    #[test]
    fn options_are_copied_whatever_they_held() {
        let values = [None, Some(String::new()), Some("a".to_string())];
        for from in &values {
            for held in &values {
                let mut into = held.clone();
                clone_option_from(&mut into, from);
                assert_eq!(&into, from);
            }
        }
    }
}
