//! `simdesk cxml check FILE`: what a support engineer needs when a buyer's integration fails —
//! the document as simdesk understood it, and every leniency and problem found.

use std::io::Read;
use std::path::Path;

/// How `check` ended, as the process's exit status says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Usable,
    Unusable,
    Unreadable,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Usable => 0,
            Outcome::Unusable => 1,
            Outcome::Unreadable => 2,
        }
    }
}

/// Reads the document (`-`: standard input) and writes the report to `out`.
pub fn run(file: &Path, out: &mut impl std::io::Write) -> Outcome {
    let mut bytes = Vec::new();
    let read = if file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    if let Err(e) = read {
        let _ = writeln!(out, "cannot read {}: {e}", file.display());
        return Outcome::Unreadable;
    }
    report(&bytes, out)
}

/// Checks one document's bytes and writes the report: the understood document as JSON, then
/// one line per problem, then the verdict.
pub fn report(bytes: &[u8], out: &mut impl std::io::Write) -> Outcome {
    let checked = cxml::check(bytes);
    match serde_json::to_string_pretty(&checked.document) {
        Ok(json) => {
            let _ = writeln!(out, "{json}");
        }
        Err(e) => {
            let _ = writeln!(out, "(the document cannot be shown as JSON: {e})");
        }
    }
    for problem in &checked.problems {
        let severity = match problem.severity {
            cxml::Severity::Info => "info",
            cxml::Severity::Warning => "warning",
            cxml::Severity::Error => "error",
        };
        let _ = writeln!(out, "{severity}: {}", problem.message);
    }
    if checked.is_ok() {
        let _ = writeln!(out, "usable: yes");
        Outcome::Usable
    } else {
        let _ = writeln!(out, "usable: no");
        Outcome::Unusable
    }
}

#[cfg(test)]
mod tests {
    use super::{report, run, Outcome};
    use std::path::PathBuf;

    fn checked(bytes: &[u8]) -> (Outcome, String) {
        let mut out = Vec::new();
        let outcome = report(bytes, &mut out);
        (outcome, String::from_utf8(out).unwrap_or_default())
    }

    #[test]
    fn a_public_sample_is_usable_and_shown_as_json() {
        let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/cxml/samples/OrderRequest.xml");
        let Ok(bytes) = std::fs::read(&sample) else {
            eprintln!(
                "skipped: {} is not there (../shared is absent)",
                sample.display()
            );
            return;
        };
        let (outcome, text) = checked(&bytes);
        assert_eq!(outcome, Outcome::Usable, "{text}");
        assert!(text.trim_start().starts_with('{'), "{text}");
        assert!(text.contains("OrderRequest"), "{text}");
        assert!(text.ends_with("usable: yes\n"), "{text}");
    }

    #[test]
    fn broken_and_hostile_documents_are_unusable_with_a_reason() {
        let (outcome, text) = checked(b"<cXML><Header>");
        assert_eq!(outcome, Outcome::Unusable);
        assert!(text.contains("error: "), "{text}");
        assert!(text.ends_with("usable: no\n"), "{text}");

        let laughs = br#"<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><cXML>&b;</cXML>"#;
        let (outcome, text) = checked(laughs);
        assert_eq!(outcome, Outcome::Unusable, "{text}");
    }

    #[test]
    fn a_missing_file_is_unreadable() {
        let mut out = Vec::new();
        let outcome = run(std::path::Path::new("/nonexistent/order.xml"), &mut out);
        assert_eq!(outcome, Outcome::Unreadable);
        assert!(String::from_utf8_lossy(&out).contains("cannot read /nonexistent/order.xml"));
    }
}
