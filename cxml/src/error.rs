//! Error type shared by parsing and writing.

use std::fmt;

/// A place in the input document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// 0-based byte offset.
    pub byte: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte
        )
    }
}

fn at(pos: &Option<Position>) -> String {
    match pos {
        Some(p) => format!(" at {p}"),
        None => String::new(),
    }
}

/// Everything that can go wrong reading or writing a cXML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CxmlError {
    /// The input uses a construct refused for safety (entity declarations,
    /// parameter entities, external resources, undeclared entity references).
    #[error("forbidden XML construct: {reason}")]
    Forbidden {
        /// What was refused and why.
        reason: String,
    },
    /// The input exceeds one of the configured [`Limits`](crate::Limits).
    #[error("document exceeds the {what} limit of {limit}{}", at(.position))]
    LimitExceeded {
        /// Which limit.
        what: &'static str,
        /// The configured maximum.
        limit: usize,
        /// Where the limit was crossed, if known.
        position: Option<Position>,
    },
    /// The bytes are not a well-formed XML document.
    #[error("malformed XML{}: {message}", at(.position))]
    Xml {
        /// Human-readable description.
        message: String,
        /// Where, if known.
        position: Option<Position>,
    },
    /// The bytes could not be decoded as text.
    #[error("cannot decode input: {message}")]
    Encoding {
        /// Human-readable description.
        message: String,
    },
    /// The root element is not `<cXML>`.
    #[error("not a cXML document: root element is <{found}>, expected <cXML>")]
    NotCxml {
        /// The root element name as written.
        found: String,
    },
    /// A required element is absent.
    #[error("missing required element <{element}> in <{parent}>{}", at(.position))]
    MissingElement {
        /// The element that was expected.
        element: String,
        /// The element it was expected in.
        parent: String,
        /// Position of the parent element.
        position: Option<Position>,
    },
    /// A required attribute is absent.
    #[error("missing required attribute `{attribute}` on <{element}>{}", at(.position))]
    MissingAttribute {
        /// The attribute name.
        attribute: String,
        /// The element it belongs to.
        element: String,
        /// Position of the element.
        position: Option<Position>,
    },
    /// A value could not be understood.
    #[error("invalid value {value:?} for {field}{}: {reason}", at(.position))]
    InvalidValue {
        /// Element or `Element@attribute` the value came from.
        field: String,
        /// The offending value (shortened when long).
        value: String,
        /// Why it was refused.
        reason: String,
        /// Where, if known.
        position: Option<Position>,
    },
    /// A well-formed cXML document of a kind this crate does not model.
    #[error("unsupported cXML {kind} <{element}>{}", at(.position))]
    Unsupported {
        /// `request`, `response` or `message`.
        kind: &'static str,
        /// The element name as written.
        element: String,
        /// Where, if known.
        position: Option<Position>,
    },
    /// The typed document cannot be written as DTD-valid cXML.
    #[error("cannot write cXML: {reason}")]
    Write {
        /// What is wrong with the document.
        reason: String,
    },
}

impl CxmlError {
    /// True for refusals made for safety reasons (forbidden constructs, limits).
    pub fn is_hostile(&self) -> bool {
        matches!(
            self,
            CxmlError::Forbidden { .. } | CxmlError::LimitExceeded { .. }
        )
    }

    /// HTTP status a server should answer with: 413 for limits, 500 for
    /// write errors, 400 for every other input problem.
    pub fn http_status(&self) -> u16 {
        match self {
            CxmlError::LimitExceeded { .. } => 413,
            CxmlError::Write { .. } => 500,
            _ => 400,
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, CxmlError>;
