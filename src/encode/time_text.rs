//! The RFC 3339 text of dates, times and datetimes, as orjson writes it, from their fields:
//! pure byte work, no Python objects.
//!
//! Each text is written as whole 8-byte words: a word's two-digit fields are turned into
//! digits all at once, in the places where they go, with the bytes between them (`-`, `T`,
//! `:`, `.`) already in place; a datetime's, with SSSE3, as two 16-byte vectors (see
//! `ssse3`). A writer may write past the text's end, up to the room its caller reserved
//! ([`TIME_TEXT_MAX`]); it returns the text's length.

use crate::ffi::datetime::{Hms, Ymd};

/// How dates and times are written (`OPT_NAIVE_UTC`, `OPT_OMIT_MICROSECONDS`, `OPT_UTC_Z`).
#[derive(Clone, Copy)]
pub struct TimeFormat {
    pub naive_utc: bool,
    pub omit_microseconds: bool,
    pub utc_z: bool,
}

/// The room every writer here needs: the longest text, `YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM`.
pub const TIME_TEXT_MAX: usize = 32;

/// A word of text: its bytes in order with `0` where the digits go (the ASCII digits' common
/// high bits); `TENS` has `0x0f` in the bytes where each field's tens digit goes.
struct Word {
    text: u64,
    tens: u64,
}

impl Word {
    const fn new(text: &[u8; 8], tens_at: &[usize]) -> Word {
        let mut tens = 0u64;
        let mut k = 0;
        while k < tens_at.len() {
            tens |= 0x0f << (8 * tens_at[k]);
            k += 1;
        }
        Word { text: u64::from_le_bytes(*text), tens }
    }

    /// The word's bytes with its fields' digits: `fields` holds each field (below 100) at the
    /// bit where its tens digit goes (`8 * byte`); fields are 16 bits apart or more, none
    /// above bit 48.
    #[inline(always)]
    fn with(&self, fields: u64) -> [u8; 8] {
        // `v * 103 >> 10` is `v / 10` for every v below 100, and 99 * 103 fits in 14 bits:
        // each field's product stays clear of the next field.
        let tens = (fields.wrapping_mul(103) >> 10) & self.tens;
        // `tens * 10` by shifts: where two words are vectorised, 64-bit lanes multiply slowly.
        let ones = fields - (tens << 3) - (tens << 1);
        (tens | ones << 8 | self.text).to_le_bytes()
    }
}

const DATE_HEAD: Word = Word::new(b"0000-00-", &[0, 2, 5]);
const DAY_HOUR_MINUTE: Word = Word::new(b"00T00:00", &[0, 3, 6]);
const SECOND_MICROS: Word = Word::new(b":00.0000", &[1, 4, 6]);
const HOUR_MINUTE_SECOND: Word = Word::new(b"00:00:00", &[0, 3, 6]);
const MICROS: Word = Word::new(b".000000\0", &[1, 3, 5]);
const PAIR: Word = Word::new(b"00\0\0\0\0\0\0", &[0]);

/// `YYYY-MM-` (years 0 to 9999).
#[inline(always)]
fn date_head(d: Ymd) -> [u8; 8] {
    let year = u64::from(d.year);
    DATE_HEAD.with(year / 100 | (year % 100) << 16 | u64::from(d.month) << 40)
}

/// The two digits of `v` (below 100).
#[inline(always)]
fn pair(v: u8) -> [u8; 2] {
    let [tens, ones, ..] = PAIR.with(u64::from(v));
    [tens, ones]
}

/// Microseconds (below 1,000,000) as three two-digit fields.
#[inline(always)]
fn micros_fields(us: u32) -> (u64, u64, u64) {
    let us = u64::from(us);
    (us / 10_000, us / 100 % 100, us % 100)
}

/// Writes `bytes` at `at`.
///
/// # Safety
/// `at` valid for `N` bytes of writes.
#[inline(always)]
unsafe fn put<const N: usize>(at: *mut u8, bytes: [u8; N]) {
    // SAFETY: forwarded.
    unsafe { at.cast::<[u8; N]>().write_unaligned(bytes) }
}

/// Writes the text of a datetime at `at`; `offset` is its UTC offset in seconds, `None` if
/// naive. Returns its length.
///
/// # Safety
/// `at` valid for [`TIME_TEXT_MAX`] bytes of writes.
#[inline(always)]
pub unsafe fn put_datetime_text(at: *mut u8, date: Ymd, time: Hms, offset: Option<i32>, format: TimeFormat) -> usize {
    let us = if format.omit_microseconds { 0 } else { time.microsecond };
    // SAFETY: 32 bytes, then 6 at most from byte 26 or 19.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_ssse3() {
            ssse3::put_date_time(at, date, time, us);
        } else {
            put_date_time(at, date, time, us);
        }
        #[cfg(not(target_arch = "x86_64"))]
        put_date_time(at, date, time, us);
        // `.ffffff` only where there are microseconds.
        let n = if us == 0 { 19 } else { 26 };
        n + match offset {
            None if !format.naive_utc => 0,
            None | Some(0) => put_utc(at.add(n), format.utc_z),
            Some(seconds) => put_offset(at.add(n), seconds),
        }
    }
}

/// Writes `YYYY-MM-DDTHH:MM:SS.ffffff` (microseconds `us`) at `at`, in 26 of 32 bytes.
///
/// # Safety
/// `at` valid for 32 bytes of writes.
#[inline(always)]
unsafe fn put_date_time(at: *mut u8, date: Ymd, time: Hms, us: u32) {
    let (us_high, us_middle, us_low) = micros_fields(us);
    // SAFETY: 8 + 8 + 8 + 8 bytes.
    unsafe {
        put(at, date_head(date));
        put(at.add(8), DAY_HOUR_MINUTE.with(u64::from(date.day) | u64::from(time.hour) << 24 | u64::from(time.minute) << 48));
        put(at.add(16), SECOND_MICROS.with(u64::from(time.second) << 8 | us_high << 32 | us_middle << 48));
        put(at.add(24), PAIR.with(us_low));
    }
}

/// `put_date_time` with SSSE3: the ten two-digit fields turned into digits in two vectors of
/// 16-bit lanes, then placed between the separators by byte shuffles. A datetime in a list
/// takes 124 instructions in all, against 144 with the word at a time form, whose shifts
/// build each word's fields.
#[cfg(target_arch = "x86_64")]
mod ssse3 {
    use super::{Hms, Ymd};
    use std::arch::x86_64::*;

    /// Where each byte of the text comes from: `Z` for none (a separator's place, or past the
    /// text), else a byte of the vector of most fields (below 16) or of the hundreds (16 up).
    const Z: i8 = -1;
    const H: i8 = 16;
    #[rustfmt::skip]
    const LAYOUT: [i8; 32] = [
        // YY YY -  MM    -  DD    T  hh    :  mm
        H, H + 1, 0, 1, Z, 4, 5, Z, 6, 7, Z, 8, 9, Z, 10, 11,
        // :  ss      .  uu      uu         uu
        Z, 12, 13, Z, 14, 15, H + 2, H + 3, 2, 3, Z, Z, Z, Z, Z, Z,
    ];
    /// The text with `0` where the digits go (their common high bits) and its separators.
    const TEXT: &[u8; 32] = b"0000-00-00T00:00:00.000000\0\0\0\0\0\0";

    /// The shuffle placing the fields' bytes (`hundreds` false) or the hundreds' bytes of
    /// `LAYOUT[half * 16..]`.
    const fn shuffle(half: usize, hundreds: bool) -> [i8; 16] {
        let mut table = [Z; 16];
        let mut i = 0;
        while i < 16 {
            let from = LAYOUT[half * 16 + i];
            if from != Z && (from >= H) == hundreds {
                table[i] = if hundreds { from - H } else { from };
            }
            i += 1;
        }
        table
    }
    const SHUFFLES: [[i8; 16]; 4] = [shuffle(0, false), shuffle(0, true), shuffle(1, false), shuffle(1, true)];

    /// Each 16-bit lane's value (below 100) as its two digits (0 to 9), the tens first.
    #[inline]
    #[target_feature(enable = "ssse3")]
    fn digit_pairs(v: __m128i) -> __m128i {
        // v * 6554 >> 16 is v / 10 below 100 (6554 / 65536 exceeds 1/10 by 6e-6).
        let tens = _mm_mulhi_epu16(v, _mm_set1_epi16(6554));
        let ones = _mm_sub_epi16(v, _mm_mullo_epi16(tens, _mm_set1_epi16(10)));
        _mm_or_si128(tens, _mm_slli_epi16::<8>(ones))
    }

    /// # Safety
    /// As for [`super::put_date_time`], on a CPU with SSSE3.
    #[inline]
    #[target_feature(enable = "ssse3")]
    pub unsafe fn put_date_time(at: *mut u8, date: Ymd, time: Hms, us: u32) {
        let (us_high, us_low) = (us / 10_000, us % 10_000);
        // The fields: two of four digits (year, the microseconds' last four), then six of two.
        #[rustfmt::skip]
        let fields = _mm_setr_epi16(
            date.year as i16, us_low as i16, date.month.into(), date.day.into(),
            time.hour.into(), time.minute.into(), time.second.into(), us_high as i16,
        );
        // x * 5243 >> 19 is x / 100 below 10,000: the four-digit fields' hundreds, 0 in the
        // other lanes; the fields keep what is below them.
        let hundreds = _mm_srli_epi16::<3>(_mm_mulhi_epu16(fields, _mm_setr_epi16(5243, 5243, 0, 0, 0, 0, 0, 0)));
        let fields = digit_pairs(_mm_sub_epi16(fields, _mm_mullo_epi16(hundreds, _mm_set1_epi16(100))));
        let hundreds = digit_pairs(hundreds);
        // SAFETY: the tables and the text are 16 bytes a half; `at` has room for 32.
        unsafe {
            for half in 0..2 {
                let table = |k: usize| _mm_loadu_si128(SHUFFLES[2 * half + k].as_ptr().cast());
                let text = _mm_or_si128(
                    _mm_or_si128(_mm_shuffle_epi8(fields, table(0)), _mm_shuffle_epi8(hundreds, table(1))),
                    _mm_loadu_si128(TEXT.as_ptr().add(16 * half).cast()),
                );
                _mm_storeu_si128(at.add(16 * half).cast(), text);
            }
        }
    }
}

/// Writes `YYYY-MM-DD` at `at`: 10 bytes.
///
/// # Safety
/// `at` valid for 10 bytes of writes.
#[inline(always)]
pub unsafe fn put_ymd(at: *mut u8, d: Ymd) -> usize {
    // SAFETY: 8 + 2 bytes.
    unsafe {
        put(at, date_head(d));
        put(at.add(8), pair(d.day));
    }
    10
}

/// Writes `HH:MM:SS`, and `.ffffff` unless there are no microseconds or they are omitted, at
/// `at`: 8 or 15 bytes.
///
/// # Safety
/// `at` valid for 16 bytes of writes.
#[inline(always)]
pub unsafe fn put_hms(at: *mut u8, t: Hms, omit_microseconds: bool) -> usize {
    let us = if omit_microseconds { 0 } else { t.microsecond };
    let (high, middle, low) = micros_fields(us);
    // SAFETY: 8 + 8 bytes.
    unsafe {
        put(at, HOUR_MINUTE_SECOND.with(u64::from(t.hour) | u64::from(t.minute) << 24 | u64::from(t.second) << 48));
        put(at.add(8), MICROS.with(high << 8 | middle << 24 | low << 40));
    }
    if us == 0 {
        8
    } else {
        15
    }
}

/// Writes UTC's offset (`Z` or `+00:00`) at `at`; returns its length.
///
/// # Safety
/// `at` valid for 6 bytes of writes.
#[inline(always)]
unsafe fn put_utc(at: *mut u8, utc_z: bool) -> usize {
    let text: &[u8] = if utc_z { b"Z" } else { b"+00:00" };
    // SAFETY: at most 6 bytes.
    unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), at, text.len()) };
    text.len()
}

/// Writes `+HH:MM` at `at` (6 bytes): the seconds of an offset rounded to the nearest minute
/// as orjson rounds them (orjson writes `-04:59:30` as `-04:60`, which is not RFC 3339; rjson
/// carries: `-05:00`).
///
/// # Safety
/// `at` valid for 6 bytes of writes.
pub unsafe fn put_offset(at: *mut u8, seconds: i32) -> usize {
    let sign = if seconds < 0 { b'-' } else { b'+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes) = (seconds / 3600, (seconds % 3600 + 30) / 60);
    let (hours, minutes) = if minutes == 60 { (hours + 1, 0) } else { (hours, minutes) };
    // SAFETY: 1 + 2 + 1 + 2 bytes.
    unsafe {
        *at = sign;
        put(at.add(1), pair(hours as u8));
        *at.add(3) = b':';
        put(at.add(4), pair(minutes as u8));
    }
    6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_as_orjson() {
        let text = |s| {
            let mut out = [0u8; 6];
            // SAFETY: 6 bytes.
            let len = unsafe { put_offset(out.as_mut_ptr(), s) };
            String::from_utf8(out[..len].to_vec()).unwrap()
        };
        assert_eq!(text(30), "+00:01");
        assert_eq!(text(29), "+00:00");
        assert_eq!(text(-3629), "-01:00");
        assert_eq!(text(-3631), "-01:01");
        assert_eq!(text(-(4 * 3600 + 59 * 60 + 30)), "-05:00");
        assert_eq!(text(5 * 3600 + 45 * 60), "+05:45");
    }

    fn datetime(date: Ymd, time: Hms, offset: Option<i32>, omit_microseconds: bool, utc_z: bool) -> String {
        let mut out = [0u8; TIME_TEXT_MAX];
        let format = TimeFormat { naive_utc: true, omit_microseconds, utc_z };
        // SAFETY: TIME_TEXT_MAX bytes.
        let len = unsafe { put_datetime_text(out.as_mut_ptr(), date, time, offset, format) };
        String::from_utf8(out[..len].to_vec()).unwrap()
    }

    #[test]
    fn dates_and_times() {
        let (early, late) = (Ymd { year: 1, month: 2, day: 3 }, Ymd { year: 9999, month: 12, day: 31 });
        let (small, big) = (Hms { hour: 4, minute: 5, second: 6, microsecond: 7 }, Hms { hour: 23, minute: 59, second: 59, microsecond: 999_990 });
        assert_eq!(datetime(early, small, None, false, false), "0001-02-03T04:05:06.000007+00:00");
        assert_eq!(datetime(early, small, Some(0), true, true), "0001-02-03T04:05:06Z");
        assert_eq!(datetime(late, big, Some(-(4 * 3600 + 59 * 60 + 30)), false, false), "9999-12-31T23:59:59.999990-05:00");
        assert_eq!(datetime(late, Hms { microsecond: 0, ..big }, Some(3600), false, false), "9999-12-31T23:59:59+01:00");
        assert_eq!(
            datetime(Ymd { year: 1970, month: 10, day: 9 }, Hms { hour: 0, minute: 10, second: 19, microsecond: 100_001 }, Some(-(23 * 3600 + 59 * 60)), false, false),
            "1970-10-09T00:10:19.100001-23:59"
        );
    }

    /// The SSSE3 form writes what the word at a time form writes, for every year and every
    /// microsecond count (each other field taking every value below 100 on the way).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn both_forms_agree() {
        if !crate::cpu::has_ssse3() {
            return;
        }
        let texts = |date, time: Hms| {
            let (mut words, mut vectors) = ([0u8; 32], [0u8; 32]);
            // SAFETY: 32 bytes each; the CPU has SSSE3.
            unsafe {
                put_date_time(words.as_mut_ptr(), date, time, time.microsecond);
                ssse3::put_date_time(vectors.as_mut_ptr(), date, time, time.microsecond);
            }
            (words[..26].to_vec(), vectors[..26].to_vec())
        };
        let checks = (0..10_000u32).map(|y| (y, y * 100 + y % 100)).chain((0..1_000_000).step_by(7).map(|us| (us % 10_000, us)));
        for (k, (year, microsecond)) in checks.enumerate() {
            let v = (k % 100) as u8;
            let (date, time) = (Ymd { year: year as u16, month: v, day: 99 - v }, Hms { hour: v, minute: 99 - v, second: v, microsecond });
            let (words, vectors) = texts(date, time);
            assert_eq!(String::from_utf8(words).unwrap(), String::from_utf8(vectors).unwrap(), "{date:?} {time:?}");
        }
    }

    /// Every value each field can take, in every place it goes, against `format!`.
    #[test]
    fn every_field_value() {
        let texts = |date: Ymd, time: Hms| {
            let (mut ymd, mut hms) = ([0u8; 10], [0u8; 16]);
            // SAFETY: 10 and 16 bytes.
            let (ymd_len, hms_len) = unsafe { (put_ymd(ymd.as_mut_ptr(), date), put_hms(hms.as_mut_ptr(), time, false)) };
            let (ymd, hms) = (String::from_utf8(ymd[..ymd_len].to_vec()).unwrap(), String::from_utf8(hms[..hms_len].to_vec()).unwrap());
            (ymd, hms, datetime(date, time, None, false, false))
        };
        for v in 0..100u8 {
            let (year, micros) = (u16::from(v) * 101, u32::from(v) * 10_101);
            let (date, time) = (Ymd { year, month: v, day: v }, Hms { hour: v, minute: v, second: v, microsecond: micros });
            let (ymd, hms, both) = texts(date, time);
            let want_hms = if micros == 0 { format!("{v:02}:{v:02}:{v:02}") } else { format!("{v:02}:{v:02}:{v:02}.{micros:06}") };
            assert_eq!(ymd, format!("{year:04}-{v:02}-{v:02}"));
            assert_eq!(hms, want_hms);
            assert_eq!(both, format!("{ymd}T{want_hms}+00:00"), "naive, written as UTC");
        }
        for (year, micros) in [(0, 1), (9, 10), (10, 99), (999, 100), (1000, 9_999), (2024, 10_000), (9999, 999_999)] {
            let (ymd, hms, _) = texts(Ymd { year, month: 1, day: 1 }, Hms { hour: 0, minute: 0, second: 0, microsecond: micros });
            assert_eq!(ymd, format!("{year:04}-01-01"));
            assert_eq!(hms, format!("00:00:00.{micros:06}"));
        }
    }
}
