//! Timestamps in the one canonical form the reference server emits
//! (`2015-10-21T16:13:19.000+0000`) plus epoch milliseconds (`timestampSeconds`, which GWS
//! fills with milliseconds despite its name).

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time as (ISO-8601 text, epoch milliseconds).
pub(crate) fn now_stamp() -> (String, i64) {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    (format_ms(ms), ms)
}

/// Formats epoch milliseconds as `YYYY-MM-DDThh:mm:ss.mmm+0000`.
pub(crate) fn format_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}+0000",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000+0000");
        // The RemoveParticipantFromConference seed's timestampSeconds, 2015-10-21 13:13:19 UTC.
        assert_eq!(format_ms(1_445_433_199_000), "2015-10-21T13:13:19.000+0000");
        assert_eq!(format_ms(951_782_400_123), "2000-02-29T00:00:00.123+0000");
    }
}
