//! `check`: what was understood, plus every leniency applied and every problem.

use crate::error::CxmlError;
use crate::limits::Limits;
use crate::model::{Body, Cxml, ItemDetail, RequestKind};
use crate::money::{Money, Quantity};
use crate::read::parse_collect;
use serde::Serialize;

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was ignored (unknown element, DTD version).
    Info,
    /// Input was accepted leniently or looks inconsistent.
    Warning,
    /// The document could not be understood.
    Error,
}

/// One finding about a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// How serious.
    pub severity: Severity,
    /// Human-readable description.
    pub message: String,
}

/// Result of [`check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The typed document, if it could be read.
    pub document: Option<Cxml>,
    /// Findings, errors last.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// True when the document was read and no problem is an error.
    pub fn is_ok(&self) -> bool {
        self.document.is_some() && !self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Problems of the given severity.
    pub fn of(&self, severity: Severity) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.severity == severity)
    }

    /// Pretty JSON for command-line tools.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

/// Reads `input` with default limits and reports what was understood.
pub fn check(input: &[u8]) -> CheckReport {
    check_with(input, &Limits::default())
}

/// Like [`check`] with explicit limits.
pub fn check_with(input: &[u8], limits: &Limits) -> CheckReport {
    let (result, mut problems) = parse_collect(input, limits);
    match result {
        Err(e) => {
            problems.push(error_problem(&e));
            CheckReport {
                document: None,
                problems,
            }
        }
        Ok(document) => {
            consistency(&document, &mut problems);
            if let Err(e) = document.to_xml() {
                problems.push(Problem {
                    severity: Severity::Warning,
                    message: format!("document could not be written back as DTD-valid cXML: {e}"),
                });
            }
            CheckReport {
                document: Some(document),
                problems,
            }
        }
    }
}

fn error_problem(e: &CxmlError) -> Problem {
    Problem {
        severity: Severity::Error,
        message: e.to_string(),
    }
}

fn line_total(q: &Quantity, d: &ItemDetail) -> Option<Money> {
    let n = q.as_integer()?;
    Some(Money::new(
        d.unit_price.minor_units.checked_mul(n)?,
        d.unit_price.currency.clone(),
    ))
}

fn compare_total(total: &Money, lines: Vec<Option<Money>>, what: &str, out: &mut Vec<Problem>) {
    let mut sum: i64 = 0;
    for l in lines {
        let Some(l) = l else { return };
        if !l.currency.eq_ignore_ascii_case(&total.currency) {
            out.push(Problem {
                severity: Severity::Warning,
                message: format!(
                    "{what}: line currency {} differs from total currency {}",
                    l.currency, total.currency
                ),
            });
            return;
        }
        let Some(s) = sum.checked_add(l.minor_units) else {
            return;
        };
        sum = s;
    }
    if sum != total.minor_units {
        out.push(Problem {
            severity: Severity::Warning,
            message: format!(
                "{what}: Total {} differs from the sum of the lines {}",
                total,
                Money::new(sum, total.currency.clone())
            ),
        });
    }
}

fn consistency(doc: &Cxml, out: &mut Vec<Problem>) {
    match &doc.body {
        Body::Message(m) => {
            let p = &m.punch_out_order_message;
            let lines = p
                .items
                .iter()
                .map(|i| line_total(&i.quantity, &i.item_detail))
                .collect();
            compare_total(&p.header.total, lines, "PunchOutOrderMessage", out);
        }
        Body::Request(r) => {
            if let RequestKind::OrderRequest(o) = &r.kind {
                let lines = o
                    .items
                    .iter()
                    .map(|i| {
                        i.item_detail
                            .as_ref()
                            .and_then(|d| line_total(&i.quantity, d))
                    })
                    .collect();
                compare_total(&o.header.total, lines, "OrderRequest", out);
            }
        }
        Body::Response(_) => {}
    }
}
