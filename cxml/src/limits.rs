//! Hard limits applied while reading untrusted input.

/// Limits for parsing untrusted input. Every limit is checked before the
/// corresponding memory is used, so hostile documents fail fast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input size in bytes (default 4 MiB).
    pub max_document_bytes: usize,
    /// Maximum element nesting depth (default 64).
    pub max_depth: usize,
    /// Maximum number of elements (default 100 000).
    pub max_elements: usize,
    /// Maximum number of attributes on one element (default 64).
    pub max_attributes: usize,
    /// Maximum length of one attribute value in bytes (default 64 KiB).
    pub max_attribute_len: usize,
    /// Maximum length of the text directly inside one element (default 1 MiB).
    pub max_text_len: usize,
    /// Maximum length of an element or attribute name (default 256).
    pub max_name_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_elements: 100_000,
            max_attributes: 64,
            max_attribute_len: 64 * 1024,
            max_text_len: 1024 * 1024,
            max_name_len: 256,
        }
    }
}
