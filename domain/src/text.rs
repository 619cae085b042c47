//! Checks of free-text form fields, with the messages the forms show. A leaf: imports no
//! service.

use simdesk_types::{FieldError, Wording};

/// A required text field, trimmed, of at most `max` characters; `missing` is the message when
/// it is empty ("Enter a name.").
pub(crate) fn required_text(
    value: &str,
    field: &str,
    max: usize,
    missing: Wording,
) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        Err(FieldError::new(field, missing))
    } else {
        optional_text(value, field, max)
    }
}

/// An optional text field, trimmed, of at most `max` characters.
pub(crate) fn optional_text(value: &str, field: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        Err(FieldError::new(
            field,
            Wording::new(
                format!("Use at most {max} characters."),
                format!("Verwenden Sie höchstens {max} Zeichen."),
            ),
        ))
    } else {
        Ok(value.to_owned())
    }
}
