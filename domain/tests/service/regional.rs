//! Each user's time zone and format: validated, kept per user (another user, of the same
//! tenant or another, is untouched), audited, and carried in the session the pages format with.

use crate::support::{
    audit_actions, demo_db, user_id, HAFEN_ADMIN, HAFEN_PURCHASER, NORDWIND_AGENT, OPERATOR,
};
use simdesk_domain::testing::actor;
use simdesk_domain::{dashboard, regional, DomainError};
use simdesk_types::{Locale, Regional};

#[tokio::test]
async fn a_user_chooses_a_zone_and_format_and_the_session_carries_them() {
    let t = demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;

    let before = regional::settings(&t.db, &purchaser).await.unwrap();
    assert_eq!(
        (before.time_zone.as_str(), before.locale),
        ("UTC", Locale::English)
    );
    assert!(before.time_zones.iter().any(|z| z == "Europe/Berlin"));
    let session = dashboard::session_info(&t.db, &purchaser).await.unwrap();
    let december = chrono::DateTime::parse_from_rfc3339("2026-12-07T11:30:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(
        session.regional.time(&december),
        Regional::default().time(&december)
    );

    let saved = regional::save(&t.db, &purchaser, " Europe/Berlin ", "de")
        .await
        .unwrap();
    assert_eq!(
        (saved.time_zone.as_str(), saved.locale),
        ("Europe/Berlin", Locale::German)
    );
    let session = dashboard::session_info(&t.db, &purchaser).await.unwrap();
    assert_eq!(session.regional.locale, Locale::German);
    assert_eq!(session.regional.zone.name, "Europe/Berlin");
    assert_eq!(session.regional.time(&december), "07.12.2026 12:30 CET");

    let own_id = user_id(&t, HAFEN_PURCHASER).await.to_string();
    assert!(audit_actions(&t).await.iter().any(|(_, action, target)| {
        action == "user.regional_settings_changed" && target.as_deref() == Some(own_id.as_str())
    }));

    // Nobody else's settings moved: not a colleague's, not another tenant's user's.
    for other in [HAFEN_ADMIN, NORDWIND_AGENT, OPERATOR] {
        let other = actor(&t, other).await;
        let theirs = regional::settings(&t.db, &other).await.unwrap();
        assert_eq!(
            (theirs.time_zone.as_str(), theirs.locale),
            ("UTC", Locale::English)
        );
    }
}

#[tokio::test]
async fn unknown_zones_and_formats_are_refused_with_the_field_named_and_nothing_changes() {
    let t = demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    regional::save(&t.db, &agent, "America/New_York", "en")
        .await
        .unwrap();
    for (zone, locale, field) in [
        ("Europe/Berlinn", "de", "time_zone"),
        ("US/Eastern", "de", "time_zone"),
        ("", "de", "time_zone"),
        ("Europe/Berlin", "fr", "locale"),
        ("Europe/Berlin", "", "locale"),
    ] {
        match regional::save(&t.db, &agent, zone, locale).await {
            Err(DomainError::Invalid(errors)) => {
                assert_eq!(errors[0].field, field, "{zone:?} {locale:?}");
            }
            other => panic!("{zone:?} {locale:?}: {other:?}"),
        }
    }
    let kept = regional::settings(&t.db, &agent).await.unwrap();
    assert_eq!(
        (kept.time_zone.as_str(), kept.locale),
        ("America/New_York", Locale::English)
    );
}
