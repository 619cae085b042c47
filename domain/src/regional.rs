//! Each user's regional settings: the IANA time zone they read times in and the locale that
//! writes dates, numbers and money. Only the user themself reads or changes them.
//!
//! Zones come from the time zone database bundled with jiff, so every instance and every
//! machine resolves a name to the same offsets, whatever the host's own database holds.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use simdesk_types::{Locale, Regional, RegionalSettings, Wording, ZoneRules, ZoneSpan};

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::app_user;
use crate::{Actor, DatabaseConnection, DomainError, DomainResult};

/// The years whose offsets the browser receives: times before take the first span's offset,
/// which no record of simdesk predates.
const FIRST_YEAR_SECONDS: i64 = 946_684_800; // 2000-01-01T00:00:00Z
const LAST_YEAR_SECONDS: i64 = 2_208_988_800; // 2040-01-01T00:00:00Z

/// The zones a user may choose: the canonical `Area/City` names and UTC, without the legacy
/// aliases (`US/Eastern`, `EST5EDT`, `Etc/GMT+5`) the database keeps for old systems.
pub fn time_zones() -> &'static [String] {
    static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| is_offered(name))
            .collect();
        names.push("UTC".to_owned());
        names.sort();
        names.dedup();
        names
    });
    &NAMES
}

fn is_offered(name: &str) -> bool {
    const AREAS: [&str; 10] = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Arctic/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    AREAS.iter().any(|area| name.starts_with(area))
}

/// The offsets of the zone `name` from 2000 to 2040, or `None` for a name the database does
/// not know. Worked out once per zone and process.
pub fn zone_rules(name: &str) -> Option<Arc<ZoneRules>> {
    static RESOLVED: LazyLock<Mutex<HashMap<String, Arc<ZoneRules>>>> =
        LazyLock::new(Mutex::default);
    if let Some(rules) = RESOLVED.lock().ok()?.get(name) {
        return Some(rules.clone());
    }
    let rules = Arc::new(resolve(name)?);
    RESOLVED.lock().ok()?.insert(name.to_owned(), rules.clone());
    Some(rules)
}

fn resolve(name: &str) -> Option<ZoneRules> {
    let zone = TimeZone::get(name).ok()?;
    let start = Timestamp::from_second(FIRST_YEAR_SECONDS).ok()?;
    let first = zone.to_offset_info(start);
    let mut spans = vec![ZoneSpan {
        from: FIRST_YEAR_SECONDS,
        offset: first.offset().seconds(),
        abbreviation: first.abbreviation().to_owned(),
    }];
    spans.extend(
        zone.following(start)
            .take_while(|change| change.timestamp().as_second() < LAST_YEAR_SECONDS)
            .map(|change| ZoneSpan {
                from: change.timestamp().as_second(),
                offset: change.offset().seconds(),
                abbreviation: change.abbreviation().to_owned(),
            }),
    );
    Some(ZoneRules {
        name: name.to_owned(),
        spans,
    })
}

/// What a user's stored settings mean for formatting. A zone the database no longer knows
/// falls back to UTC rather than failing every page.
pub fn of_user(time_zone: &str, locale: &str) -> Regional {
    Regional {
        locale: Locale::from_code(locale).unwrap_or_default(),
        zone: zone_rules(time_zone).map_or_else(ZoneRules::utc, |rules| (*rules).clone()),
    }
}

/// The actor's settings and the zones to choose from.
pub async fn settings(db: &DatabaseConnection, actor: &Actor) -> DomainResult<RegionalSettings> {
    let txn = begin(db, DataScope::of(actor)).await?;
    let user = crate::actor::own_user(&txn, actor).await?;
    txn.commit().await?;
    Ok(RegionalSettings {
        locale: crate::actor::language_of(&user),
        time_zone: user.time_zone,
        time_zones: time_zones().to_vec(),
    })
}

/// Sets the actor's time zone (an IANA name from [`time_zones`]) and locale (`en` or `de`).
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    time_zone: &str,
    locale: &str,
) -> DomainResult<RegionalSettings> {
    let time_zone = time_zone.trim();
    if time_zones()
        .binary_search_by(|z| z.as_str().cmp(time_zone))
        .is_err()
    {
        return Err(DomainError::invalid(
            "time_zone",
            Wording::new(
                format!("{time_zone:?} is not a time zone simdesk knows; choose one from the list, such as Europe/Berlin."),
                format!("„{time_zone}“ ist keine Zeitzone, die simdesk kennt; wählen Sie eine aus der Liste, etwa Europe/Berlin."),
            ),
        ));
    }
    let locale = Locale::from_code(locale.trim()).ok_or_else(|| {
        DomainError::invalid(
            "locale",
            Wording::new(
                format!("{locale:?} is not a format simdesk offers; choose English or Deutsch."),
                format!("„{locale}“ ist kein Format, das simdesk anbietet; wählen Sie English oder Deutsch."),
            ),
        )
    })?;
    let txn = begin_write(db, DataScope::of(actor)).await?;
    app_user::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(actor.user_id),
        time_zone: Set(time_zone.to_owned()),
        locale: Set(locale.code().to_owned()),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    AuditEvent::new("user.regional_settings_changed", "user")
        .target(actor.user_id)
        .tenant(actor.tenant_id, actor.account_id)
        .details(json!({ "time_zone": time_zone, "locale": locale.code() }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    settings(db, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone as _, Utc};

    #[test]
    fn berlin_changes_offset_on_the_last_sundays_of_march_and_october() {
        let rules = zone_rules("Europe/Berlin").expect("Berlin is in the database");
        let regional = Regional {
            locale: Locale::German,
            zone: (*rules).clone(),
        };
        let winter = Utc.with_ymd_and_hms(2026, 12, 7, 11, 30, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 11, 30, 0).unwrap();
        let last_summer_minute = Utc.with_ymd_and_hms(2026, 10, 25, 0, 59, 0).unwrap();
        assert_eq!(regional.time(&winter), "07.12.2026 12:30 CET");
        assert_eq!(regional.time(&summer), "01.07.2026 13:30 CEST");
        assert_eq!(regional.time(&last_summer_minute), "25.10.2026 02:59 CEST");
        assert_eq!(
            regional.time(&(last_summer_minute + chrono::Duration::minutes(1))),
            "25.10.2026 02:00 CET"
        );
    }

    #[test]
    fn the_rules_agree_with_the_database_at_every_hour_of_a_year() {
        for name in [
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "UTC",
        ] {
            let rules = zone_rules(name).expect("a known zone");
            let zone = TimeZone::get(name).expect("a known zone");
            let start = Utc
                .with_ymd_and_hms(2027, 1, 1, 0, 30, 0)
                .unwrap()
                .timestamp();
            for hour in 0..24 * 365 {
                let seconds = start + hour * 3600;
                let at = Utc.timestamp_opt(seconds, 0).unwrap();
                let expected = zone.to_offset(Timestamp::from_second(seconds).unwrap());
                let span = rules.span_at(&at).expect("a span");
                assert_eq!(span.offset, expected.seconds(), "{name} at {at}");
            }
        }
    }

    #[test]
    fn only_canonical_zones_are_offered() {
        let zones = time_zones();
        assert!(zones.iter().any(|z| z == "Europe/Berlin"));
        assert!(zones.iter().any(|z| z == "UTC"));
        assert!(!zones
            .iter()
            .any(|z| z == "US/Eastern" || z.starts_with("Etc/")));
        assert!(zones.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(zone_rules("Mars/Olympus_Mons").is_none());
    }

    #[test]
    fn stored_settings_the_database_no_longer_knows_fall_back_to_utc_in_english() {
        assert_eq!(of_user("Atlantis/Capital", "xx"), Regional::default());
    }
}
