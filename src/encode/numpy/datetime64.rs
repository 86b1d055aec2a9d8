//! `numpy.datetime64` values as orjson writes them: `YYYY-MM-DDTHH:MM:SS[.ffffff]` in UTC,
//! with no offset (`+00:00` or `Z` with `OPT_NAIVE_UTC`), nanoseconds truncated to
//! microseconds, years 0 to 9999 only, and orjson's upper limit on instants
//! (9999-12-30T22:00:00Z, the last that its date library takes).
//!
//! Where orjson writes a wrong date, rjson refuses the value instead (README): NaT (orjson:
//! 1970-01-01 in weeks to minutes, 1677-09-21 in nanoseconds) and any value whose seconds
//! overflow 64 bits (orjson wraps them). Months before 1970 are written as the right dates
//! (orjson aborts on Decembers and refuses other months), and units with a multiplier
//! (`datetime64[2s]`, on which orjson aborts) are written too.

use super::super::buffer::OutBuf;
use super::super::time_text::{put_datetime_text, TimeFormat, TIME_TEXT_MAX};
use crate::ffi::datetime::{Hms, Ymd};

/// The base units of datetime64 (numpy's `NPY_DATETIMEUNIT`), as numpy's dtype strings
/// name them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Base {
    Years,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

const BASES: [(&str, Base, &str); 10] = [
    ("Y", Base::Years, "years"),
    ("M", Base::Months, "months"),
    ("W", Base::Weeks, "weeks"),
    ("D", Base::Days, "days"),
    ("h", Base::Hours, "hours"),
    ("m", Base::Minutes, "minutes"),
    ("s", Base::Seconds, "seconds"),
    ("ms", Base::Milliseconds, "milliseconds"),
    ("us", Base::Microseconds, "microseconds"),
    ("ns", Base::Nanoseconds, "nanoseconds"),
];

/// The units numpy has and orjson does not write, with orjson's names for them.
const UNSUPPORTED: [(&str, &str); 4] = [("ps", "picoseconds"), ("fs", "femtoseconds"), ("as", "attoseconds"), ("generic", "generic")];

/// NaT, numpy's "not a time", in every unit.
const NAT: i64 = i64::MIN;

/// The last second orjson's date library (jiff) takes: 9999-12-30T22:00:00Z (its range
/// leaves room for a 25:59:59 offset).
const MAX_SECONDS: i64 = 253_402_207_200;

/// A datetime64 dtype's unit: `multiplier` base units per value.
#[derive(Clone, Copy, Debug)]
pub struct Unit {
    base: Base,
    multiplier: i64,
    name: &'static str,
}

/// Why a datetime64 value has no text: orjson's message.
pub type Refused = String;

impl Unit {
    /// The unit of a dtype string (`'<M8[ms]'`, `'<M8[2s]'`); `'<M8'`, generic, is NaT's
    /// unit. Units orjson does not write give its error.
    pub fn parse(dtype: &str) -> Result<Unit, Refused> {
        let unsupported = |name: &str| format!("unsupported numpy.datetime64 unit: {name}");
        let Some(inner) = dtype.split_once('[').and_then(|(_, rest)| rest.strip_suffix(']')) else {
            return Err(unsupported("NaT"));
        };
        let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
        let (count, code) = inner.split_at(digits);
        if let Some((_, name)) = UNSUPPORTED.iter().find(|(c, _)| *c == code) {
            return Err(unsupported(name));
        }
        let multiplier = if count.is_empty() { Some(1) } else { count.parse::<i64>().ok().filter(|&m| m > 0) };
        match (BASES.iter().find(|(c, ..)| *c == code), multiplier) {
            (Some(&(_, base, name)), Some(multiplier)) => Ok(Unit { base, multiplier, name }),
            _ => Err(unsupported(inner)),
        }
    }

    /// Appends `value` (in this unit) as a JSON string.
    pub fn write(&self, out: &mut OutBuf, value: i64, format: TimeFormat) -> Result<(), Refused> {
        let (date, time) = self.civil(value).ok_or_else(|| self.unrepresentable(value))?;
        // SAFETY: the quotes and at most TIME_TEXT_MAX bytes between them.
        unsafe {
            out.put(TIME_TEXT_MAX + 2, |at| {
                *at = b'"';
                let len = 1 + put_datetime_text(at.add(1), date, time, None, format);
                *at.add(len) = b'"';
                len + 1
            });
        }
        Ok(())
    }

    fn unrepresentable(&self, value: i64) -> Refused {
        match self.multiplier {
            1 => format!("unrepresentable numpy.datetime64: {value} {}", self.name),
            m => format!("unrepresentable numpy.datetime64: {value} * {m} {}", self.name),
        }
    }

    /// The UTC date and time of `value`, if orjson can write it.
    fn civil(&self, value: i64) -> Option<(Ymd, Hms)> {
        if value == NAT {
            return None;
        }
        let value = value.checked_mul(self.multiplier)?;
        let (seconds, nanos) = match self.base {
            Base::Years => return whole_date(value.checked_add(1970)?, 1),
            Base::Months => return whole_date(value.div_euclid(12) + 1970, value.rem_euclid(12) as u8 + 1),
            Base::Weeks => (value.checked_mul(7 * 86_400)?, 0),
            Base::Days => (value.checked_mul(86_400)?, 0),
            Base::Hours => (value.checked_mul(3_600)?, 0),
            Base::Minutes => (value.checked_mul(60)?, 0),
            Base::Seconds => (value, 0),
            Base::Milliseconds => (value.div_euclid(1_000), value.rem_euclid(1_000) * 1_000_000),
            Base::Microseconds => (value.div_euclid(1_000_000), value.rem_euclid(1_000_000) * 1_000),
            Base::Nanoseconds => (value.div_euclid(1_000_000_000), value.rem_euclid(1_000_000_000)),
        };
        if seconds > MAX_SECONDS || (seconds == MAX_SECONDS && nanos > 0) {
            return None;
        }
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let second_of_day = seconds.rem_euclid(86_400) as u32;
        let time = Hms {
            hour: (second_of_day / 3_600) as u8,
            minute: (second_of_day / 60 % 60) as u8,
            second: (second_of_day % 60) as u8,
            microsecond: (nanos / 1_000) as u32,
        };
        Some((ymd(year, month, day)?, time))
    }
}

/// Midnight on the first of `month` in `year`.
fn whole_date(year: i64, month: u8) -> Option<(Ymd, Hms)> {
    Some((ymd(year, month, 1)?, Hms { hour: 0, minute: 0, second: 0, microsecond: 0 }))
}

/// A date of years 0 to 9999, the ones orjson writes.
fn ymd(year: i64, month: u8, day: u8) -> Option<Ymd> {
    (0..=9999).contains(&year).then_some(Ymd { year: year as u16, month, day })
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u8;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u8;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(dtype: &str, value: i64) -> Result<String, Refused> {
        let format = TimeFormat { naive_utc: false, omit_microseconds: false, utc_z: false };
        let mut out = OutBuf::default();
        Unit::parse(dtype)?.write(&mut out, value, format)?;
        Ok(String::from_utf8(out.as_slice().to_vec()).unwrap())
    }

    #[test]
    fn units() {
        assert_eq!(text("<M8[s]", 0).unwrap(), "\"1970-01-01T00:00:00\"");
        assert_eq!(text("<M8[D]", -1).unwrap(), "\"1969-12-31T00:00:00\"");
        assert_eq!(text("<M8[W]", 2661).unwrap(), "\"2020-12-31T00:00:00\"");
        assert_eq!(text("<M8[M]", -1).unwrap(), "\"1969-12-01T00:00:00\"");
        assert_eq!(text("<M8[M]", -12).unwrap(), "\"1969-01-01T00:00:00\"");
        assert_eq!(text("<M8[Y]", -1970).unwrap(), "\"0000-01-01T00:00:00\"");
        assert_eq!(text("<M8[ms]", -1).unwrap(), "\"1969-12-31T23:59:59.999000\"");
        assert_eq!(text("<M8[ns]", -1).unwrap(), "\"1969-12-31T23:59:59.999999\"");
        assert_eq!(text("<M8[ns]", 1_500).unwrap(), "\"1970-01-01T00:00:00.000001\"");
        assert_eq!(text("<M8[2s]", 30).unwrap(), "\"1970-01-01T00:01:00\"");
        assert_eq!(text("<M8[s]", 951_827_696).unwrap(), "\"2000-02-29T12:34:56\"");
    }

    #[test]
    fn limits_and_errors() {
        assert_eq!(text("<M8[s]", MAX_SECONDS).unwrap(), "\"9999-12-30T22:00:00\"");
        assert_eq!(text("<M8[s]", MAX_SECONDS + 1).unwrap_err(), "unrepresentable numpy.datetime64: 253402207201 seconds");
        assert!(text("<M8[us]", MAX_SECONDS * 1_000_000 + 1).is_err());
        assert_eq!(text("<M8[D]", -719_528).unwrap(), "\"0000-01-01T00:00:00\"");
        assert_eq!(text("<M8[D]", -719_529).unwrap_err(), "unrepresentable numpy.datetime64: -719529 days");
        assert_eq!(text("<M8[Y]", 8030).unwrap_err(), "unrepresentable numpy.datetime64: 8030 years");
        assert_eq!(text("<M8[h]", NAT).unwrap_err(), "unrepresentable numpy.datetime64: -9223372036854775808 hours");
        assert_eq!(text("<M8[h]", 1 << 62).unwrap_err(), "unrepresentable numpy.datetime64: 4611686018427387904 hours");
        assert_eq!(text("<M8[3h]", 1 << 62).unwrap_err(), "unrepresentable numpy.datetime64: 4611686018427387904 * 3 hours");
        assert_eq!(text("<M8", 0).unwrap_err(), "unsupported numpy.datetime64 unit: NaT");
        assert_eq!(text("<M8[ps]", 0).unwrap_err(), "unsupported numpy.datetime64 unit: picoseconds");
        assert_eq!(text("<M8[xs]", 0).unwrap_err(), "unsupported numpy.datetime64 unit: xs");
    }

    #[test]
    fn every_day_of_four_centuries() {
        // Days since 1970 of 1600-03-01 onwards, checked against a running calendar.
        let (mut y, mut m, mut d) = (1600i64, 3u8, 1u8);
        let days_in = |y: i64, m: u8| match m {
            2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        for days in -135_080..146_097 - 135_080 {
            assert_eq!(civil_from_days(days), (y, m, d), "{days}");
            d += 1;
            if d > days_in(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
