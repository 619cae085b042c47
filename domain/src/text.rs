//! Checks of free-text form fields, with the messages the forms show. A leaf: imports no
//! service.

use simdesk_types::FieldError;

/// A required text field, trimmed, of at most `max` characters; `what` names it in the message.
pub(crate) fn required_text(
    value: &str,
    field: &str,
    max: usize,
    what: &str,
) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        Err(FieldError::new(field, format!("Enter {what}.")))
    } else if value.chars().count() > max {
        Err(FieldError::new(
            field,
            format!("Use at most {max} characters."),
        ))
    } else {
        Ok(value.to_owned())
    }
}

/// An optional text field, trimmed, of at most `max` characters.
pub(crate) fn optional_text(value: &str, field: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        Err(FieldError::new(
            field,
            format!("Use at most {max} characters."),
        ))
    } else {
        Ok(value.to_owned())
    }
}
