//! XML Schema 1.1 `dateTimeStamp` values — the type of a Data Integrity proof's `created` /
//! `expires` (Data Integrity §2.1), of VCDM 2.0 `validFrom` / `validUntil` (§4.9) and of a did:webvh
//! `versionTime`: a `dateTime` whose time-zone offset is mandatory, so every value names one instant.

/// Parses `YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)` into Unix seconds (fractions truncated).
/// Returns `None` for anything else, including a missing offset.
pub fn parse(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    // Years beyond 9999 or before 0000 are legal XSD but never meaningful here.
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range| num_in(value, range);
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m) = (num_in(rest, 1..3)?, num_in(rest, 4..6)?);
            if h > 14 || m > 59 || (h == 14 && m != 0) {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let valid_time =
        hour < 24 && minute < 60 && second < 60 || (hour == 24 && minute == 0 && second == 0);
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[(month - 1) as usize]
        || !valid_time
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn num_in(s: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let digits = s.get(range)?;
    digits
        .bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| digits.parse().ok())?
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats Unix seconds as `YYYY-MM-DDThh:mm:ssZ`, the form saifu writes into proofs.
pub fn format(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Inverse of days_from_civil (H. Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_fractions_and_round_trips() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse("2023-02-24T23:36:38Z"), Some(1_677_281_798));
        assert_eq!(parse("2023-02-25T01:36:38.123+02:00"), Some(1_677_281_798));
        assert_eq!(format(1_677_281_798), "2023-02-24T23:36:38Z");
        assert_eq!(parse(&format(4_102_444_800)), Some(4_102_444_800));
    }

    #[test]
    fn refuses_missing_offset_and_impossible_dates() {
        for bad in [
            "2023-02-24T23:36:38",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-02-24 23:36:38Z",
            "2023-02-24T23:36:38.Z",
            "2023-02-24T23:36:38+2:00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
