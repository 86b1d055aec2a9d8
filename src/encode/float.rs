//! `float.__repr__` spelling of finite floats: the shortest digits that round-trip (ryu), laid
//! out as CPython lays them out (`1e-05`, `0.0001`, `1e+16`, `1000000000000000.0`).

/// Appends `repr(value)` for a finite `value`.
pub fn write_float_repr(out: &mut Vec<u8>, value: f64) {
    debug_assert!(value.is_finite());
    if value == 0.0 {
        out.extend_from_slice(if value.is_sign_negative() { b"-0.0" } else { b"0.0" });
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let shortest = buffer.format_finite(value);
    let (digits, decpt, negative) = decompose(shortest.as_bytes());
    if negative {
        out.push(b'-');
    }
    let digits = &digits[..];
    let n = digits.len() as i32;
    // CPython ('r' format, Py_DTSF_ADD_DOT_0): exponent form when decpt <= -4 or decpt > 16,
    // where value = 0.DIGITS x 10^decpt.
    if decpt <= -4 || decpt > 16 {
        out.push(digits[0]);
        if n > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        let exp = decpt - 1;
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let exp = exp.unsigned_abs();
        if exp < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(itoa::Buffer::new().format(exp).as_bytes());
    } else if decpt <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-decpt) as usize));
        out.extend_from_slice(digits);
    } else if decpt >= n {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', (decpt - n) as usize));
        out.extend_from_slice(b".0");
    } else {
        out.extend_from_slice(&digits[..decpt as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[decpt as usize..]);
    }
}

/// Splits ryu's output (`-1.5e-7`, `123.0`, `0.001`, `1e16`) into significant digits without
/// leading or trailing zeros, the decimal point position `decpt`, and the sign.
fn decompose(text: &[u8]) -> (Vec<u8>, i32, bool) {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, exp) = match text.iter().position(|&b| b == b'e' || b == b'E') {
        Some(e) => {
            let exp = std::str::from_utf8(&text[e + 1..]).ok().and_then(|s| s.parse::<i32>().ok()).unwrap_or(0);
            (&text[..e], exp)
        }
        None => (text, 0),
    };
    let point = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
    let mut digits: Vec<u8> = mantissa.iter().copied().filter(u8::is_ascii_digit).collect();
    let mut decpt = point as i32 + exp;
    let leading = digits.iter().take_while(|&&d| d == b'0').count();
    digits.drain(..leading);
    decpt -= leading as i32;
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, decpt, negative)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(v: f64) -> String {
        let mut out = Vec::new();
        write_float_repr(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn matches_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e-7, "1e-07"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (1e22, "1e+22"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (0.30000000000000004, "0.30000000000000004"),
            (9007199254740993.0, "9007199254740992.0"),
            (123.456, "123.456"),
            (1e100, "1e+100"),
        ];
        for &(value, expected) in cases {
            assert_eq!(repr(value), expected, "{value:e}");
        }
    }
}
