//! Reading HTML form values: an empty field is "none", and numbers may arrive as text.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::str::FromStr;

/// Deserializes an optional id from a form: `""` and absent are `None`, `"42"` and `42` are
/// `Some(42)`.
pub fn optional_id<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    struct OptionalId;

    impl<'de> Visitor<'de> for OptionalId {
        type Value = Option<i64>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an id or nothing")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(OptionalId)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom("id out of range"))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            if v.is_empty() {
                Ok(None)
            } else {
                i64::from_str(v)
                    .map(Some)
                    .map_err(|_| E::custom(format!("{v:?} is not an id")))
            }
        }
    }

    deserializer.deserialize_any(OptionalId)
}

/// Deserializes a checkbox: present with any value but `false` is `true`; absent is `false`
/// (with `#[serde(default)]`).
pub fn checkbox<'de, D>(deserializer: D) -> Result<bool, D::Error>
where
    D: Deserializer<'de>,
{
    struct Checkbox;

    impl<'de> Visitor<'de> for Checkbox {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a checkbox value")
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            Ok(!matches!(v.trim(), "false" | "off" | "0"))
        }
    }

    deserializer.deserialize_any(Checkbox)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Form {
        #[serde(default, deserialize_with = "super::optional_id")]
        id: Option<i64>,
        #[serde(default, deserialize_with = "super::checkbox")]
        on: bool,
    }

    #[test]
    fn empty_means_none_and_numbers_may_be_text() {
        let parse = |json: &str| serde_json::from_str::<Form>(json).unwrap();
        assert_eq!(parse(r#"{"id":"","on":"on"}"#), Form { id: None, on: true });
        assert_eq!(
            parse(r#"{"id":"42"}"#),
            Form {
                id: Some(42),
                on: false
            }
        );
        assert_eq!(
            parse(r#"{"id":7,"on":"false"}"#),
            Form {
                id: Some(7),
                on: false
            }
        );
        assert!(serde_json::from_str::<Form>(r#"{"id":"x"}"#).is_err());
    }
}
