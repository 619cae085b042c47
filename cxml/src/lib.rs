//! Typed cXML 1.2.063 documents for the simdesk SIM ordering portal.
//!
//! Reading is lenient (case-insensitive names, any child order, odd
//! timestamps) and safe on hostile input (no entity expansion beyond the
//! predefined ones, nothing fetched, hard [`Limits`]). Writing is strict:
//! output validates against the cXML 1.2.063 DTDs. No I/O happens here.
//!
//! ```
//! let doc = cxml::parse(br#"<cXML payloadID="1" timestamp="2024-01-01T00:00:00Z">
//!   <Response><Status code="200" text="OK"/></Response></cXML>"#).unwrap();
//! assert!(doc.to_xml().unwrap().contains("cXML/1.2.063/cXML.dtd"));
//! ```

mod check;
mod error;
mod limits;
mod model;
mod money;
mod read;
mod redact;
pub mod time;
mod tree;
mod write;

pub use check::{check, check_with, CheckReport, Problem, Severity};
pub use error::{CxmlError, Position};
pub use limits::Limits;
pub use model::*;
pub use money::{minor_unit_digits, Money, Quantity};
pub use read::{parse, parse_with, Parsed};
pub use redact::redact_shared_secrets;
