//! The age of a record's child from an export's columns: an age column
//! ("14", "14 years", "14y") or a date of birth with the record's date.

/// The age in whole years that `cell` states: its leading number, if it
/// has one below 120.
pub fn parse_age(cell: &str) -> Option<u32> {
    let digits: String = cell
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|&n: &u32| n < 120)
}

/// A calendar date: (year, month, day).
type Date = (i32, u32, u32);

/// Reads a date as exports write it: `2024-03-05`, `05/03/2024`,
/// `5-3-2024`, `05.03.2024` (day before month, as in the UK), with an
/// optional time after it.
pub fn parse_date(cell: &str) -> Option<Date> {
    let date = cell.trim().split([' ', 'T']).next()?;
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| s.parse::<u32>().ok();
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 {
        (num(c)?, num(b)?, num(a)?)
    } else {
        return None;
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((i32::try_from(y).ok()?, m, d))
}

/// The age on `on` of someone born on `born`; `None` if `on` is before it.
pub fn age_on(born: Date, on: Date) -> Option<u32> {
    let mut years = on.0 - born.0;
    if (on.1, on.2) < (born.1, born.2) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// The age a record states: its age cell, else its date of birth on the
/// record's date.
pub fn record_age(age: Option<&str>, dob: Option<&str>, date: Option<&str>) -> Option<u32> {
    age.and_then(parse_age)
        .or_else(|| age_on(parse_date(dob?)?, parse_date(date?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_dates_of_birth() {
        assert_eq!(parse_age(" 14 years"), Some(14));
        assert_eq!(parse_age("unknown"), None);
        assert_eq!(parse_date("05/03/2024"), Some((2024, 3, 5)));
        assert_eq!(parse_date("2024-03-05 10:20"), Some((2024, 3, 5)));
        assert_eq!(parse_date("2024/13/05"), None);
        assert_eq!(
            record_age(None, Some("06/03/2010"), Some("05/03/2024")),
            Some(13)
        );
        assert_eq!(
            record_age(None, Some("05/03/2010"), Some("05/03/2024")),
            Some(14)
        );
        assert_eq!(
            record_age(Some("15"), Some("05/03/2010"), Some("05/03/2024")),
            Some(15)
        );
        assert_eq!(record_age(None, Some("05/03/2010"), None), None);
    }
}
