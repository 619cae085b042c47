//! Safe XML reading into a small generic element tree.
//!
//! Only the predefined XML entities and numeric character references are
//! expanded; DOCTYPEs with internal subsets or non-HTTP system identifiers
//! are refused; every limit is enforced while reading.

use crate::error::{CxmlError, Position, Result};
use crate::limits::Limits;
use quick_xml::escape::{resolve_predefined_entity, EscapeError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;
use std::borrow::Cow;

/// An attribute as written (name case preserved).
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub name: String,
    pub value: String,
}

/// An element: local name as written, attributes, child elements and the
/// concatenation of its direct text (including CDATA).
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    pub text: String,
    pub pos: usize,
}

/// What the DOCTYPE said.
#[derive(Debug, Clone)]
pub(crate) struct Doctype {
    pub root: String,
    pub system_id: Option<String>,
}

/// A parsed document.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Element,
    pub has_decl: bool,
    pub doctype: Option<Doctype>,
}

/// Maps byte offsets to line/column.
pub(crate) struct LineIndex<'s> {
    src: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(src: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { src, starts }
    }

    pub fn position(&self, byte: usize) -> Position {
        let byte = byte.min(self.src.len());
        let line = self.starts.partition_point(|&s| s <= byte);
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .src
            .get(start..byte)
            .map(|s| s.chars().count())
            .unwrap_or(byte - start)
            + 1;
        Position { line, column, byte }
    }
}

/// Decodes input bytes: UTF-8 (BOM stripped) or, when declared, ISO-8859-1.
/// Returns the text and whether a fallback decoding was used.
pub(crate) fn decode(input: &[u8]) -> Result<(Cow<'_, str>, Option<String>)> {
    let bytes = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(CxmlError::Encoding {
            message: "UTF-16 input is not supported; send UTF-8".into(),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), None)),
        Err(e) => {
            let head = &bytes[..bytes.len().min(200)];
            let head = String::from_utf8_lossy(head).to_ascii_lowercase();
            let latin = [
                "iso-8859-1",
                "iso8859-1",
                "latin1",
                "latin-1",
                "windows-1252",
            ];
            if head.starts_with("<?xml") && latin.iter().any(|l| head.contains(l)) {
                let s: String = bytes.iter().map(|&b| char::from(b)).collect();
                Ok((
                    Cow::Owned(s),
                    Some("document declared a Latin-1 encoding; decoded as ISO-8859-1".into()),
                ))
            } else {
                Err(CxmlError::Encoding {
                    message: format!(
                        "input is not valid UTF-8 (first bad byte at offset {})",
                        e.valid_up_to()
                    ),
                })
            }
        }
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Parses `src` into a tree, enforcing `limits` and refusing entity tricks.
pub(crate) fn parse_document(src: &str, limits: &Limits) -> Result<Document> {
    let lines = std::cell::OnceCell::new();
    let pos = |byte: usize| -> Option<Position> {
        Some(lines.get_or_init(|| LineIndex::new(src)).position(byte))
    };
    if src.len() > limits.max_document_bytes {
        return Err(CxmlError::LimitExceeded {
            what: "document size (bytes)",
            limit: limits.max_document_bytes,
            position: None,
        });
    }
    let mut reader = Reader::from_str(src);
    {
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.expand_empty_elements = false;
        cfg.check_end_names = true;
        cfg.check_comments = false;
        cfg.allow_dangling_amp = false;
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut has_decl = false;
    let mut doctype: Option<Doctype> = None;
    let mut count = 0usize;
    loop {
        let at = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => return Err(map_xml_error(e, pos(reader.error_position() as usize))),
        };
        match event {
            Event::Decl(_) => has_decl = true,
            Event::DocType(t) => {
                if root.is_some() || !stack.is_empty() || doctype.is_some() {
                    return Err(CxmlError::Xml {
                        message: "DOCTYPE is only allowed once, before the root element".into(),
                        position: pos(at),
                    });
                }
                doctype = Some(check_doctype(&t)?);
            }
            Event::Start(e) => {
                let el = open_element(
                    &e,
                    at,
                    limits,
                    &mut count,
                    stack.len(),
                    root.is_some(),
                    &pos,
                )?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = open_element(
                    &e,
                    at,
                    limits,
                    &mut count,
                    stack.len(),
                    root.is_some(),
                    &pos,
                )?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(CxmlError::Xml {
                        message: "closing tag without matching opening tag".into(),
                        position: pos(at),
                    });
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                append_text(&mut stack, &content, at, limits, &pos)?;
            }
            Event::CData(t) => {
                let content = t.xml10_content();
                if stack.is_empty() {
                    return Err(CxmlError::Xml {
                        message: "CDATA outside the root element".into(),
                        position: pos(at),
                    });
                }
                append_text(&mut stack, &content, at, limits, &pos)?;
            }
            Event::GeneralRef(r) => {
                let resolved: String = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                        _ => {
                            return Err(CxmlError::Xml {
                                message: format!("invalid character reference &{};", &*r),
                                position: pos(at),
                            })
                        }
                    }
                } else {
                    match resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => return Err(undeclared_entity(&r)),
                    }
                };
                if stack.is_empty() {
                    return Err(CxmlError::Xml {
                        message: "reference outside the root element".into(),
                        position: pos(at),
                    });
                }
                append_text(&mut stack, &resolved, at, limits, &pos)?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(CxmlError::Xml {
            message: format!("unexpected end of document: <{}> is not closed", open.name),
            position: pos(open.pos),
        });
    }
    match root {
        Some(root) => Ok(Document {
            root,
            has_decl,
            doctype,
        }),
        None => Err(CxmlError::Xml {
            message: "document has no root element".into(),
            position: None,
        }),
    }
}

fn undeclared_entity(name: &str) -> CxmlError {
    CxmlError::Forbidden {
        reason: format!(
            "entity reference &{name}; is not allowed; only the predefined XML entities and numeric character references are expanded"
        ),
    }
}

fn map_xml_error(e: quick_xml::Error, position: Option<Position>) -> CxmlError {
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            undeclared_entity(&name)
        }
        other => CxmlError::Xml {
            message: other.to_string(),
            position,
        },
    }
}

fn append_text(
    stack: &mut [Element],
    content: &str,
    at: usize,
    limits: &Limits,
    pos: &dyn Fn(usize) -> Option<Position>,
) -> Result<()> {
    let Some(top) = stack.last_mut() else {
        if content.trim().is_empty() {
            return Ok(());
        }
        return Err(CxmlError::Xml {
            message: "text outside the root element".into(),
            position: pos(at),
        });
    };
    if top.text.len() + content.len() > limits.max_text_len {
        return Err(CxmlError::LimitExceeded {
            what: "text length (bytes)",
            limit: limits.max_text_len,
            position: pos(at),
        });
    }
    if let Some(c) = content.chars().find(|c| !is_xml_char(*c)) {
        return Err(CxmlError::Xml {
            message: format!("character U+{:04X} is not allowed in XML", c as u32),
            position: pos(at),
        });
    }
    top.text.push_str(content);
    Ok(())
}

fn open_element(
    e: &BytesStart<'_>,
    at: usize,
    limits: &Limits,
    count: &mut usize,
    depth: usize,
    root_done: bool,
    pos: &dyn Fn(usize) -> Option<Position>,
) -> Result<Element> {
    if depth == 0 && root_done {
        return Err(CxmlError::Xml {
            message: "more than one root element".into(),
            position: pos(at),
        });
    }
    *count += 1;
    if *count > limits.max_elements {
        return Err(CxmlError::LimitExceeded {
            what: "element count",
            limit: limits.max_elements,
            position: pos(at),
        });
    }
    if depth + 1 > limits.max_depth {
        return Err(CxmlError::LimitExceeded {
            what: "nesting depth",
            limit: limits.max_depth,
            position: pos(at),
        });
    }
    let qname = e.name();
    if qname.as_ref().len() > limits.max_name_len {
        return Err(CxmlError::LimitExceeded {
            what: "name length",
            limit: limits.max_name_len,
            position: pos(at),
        });
    }
    let name = e.local_name().into_inner().to_string();
    let mut attrs: Vec<Attr> = Vec::new();
    let mut iter = e.attributes();
    iter.with_checks(false);
    for a in iter {
        let a = a.map_err(|err| CxmlError::Xml {
            message: format!("bad attribute on <{name}>: {err}"),
            position: pos(at),
        })?;
        if attrs.len() >= limits.max_attributes {
            return Err(CxmlError::LimitExceeded {
                what: "attributes per element",
                limit: limits.max_attributes,
                position: pos(at),
            });
        }
        let key = a.key.as_ref();
        if key.len() > limits.max_name_len {
            return Err(CxmlError::LimitExceeded {
                what: "name length",
                limit: limits.max_name_len,
                position: pos(at),
            });
        }
        if a.value.len() > limits.max_attribute_len {
            return Err(CxmlError::LimitExceeded {
                what: "attribute value length (bytes)",
                limit: limits.max_attribute_len,
                position: pos(at),
            });
        }
        let key = key.to_string();
        if attrs.iter().any(|x| x.name == key) {
            return Err(CxmlError::Xml {
                message: format!("duplicate attribute `{key}` on <{name}>"),
                position: pos(at),
            });
        }
        let value = a
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_predefined_entity)
            .map_err(|err| match map_xml_error(err, pos(at)) {
                CxmlError::Xml { message, position } => CxmlError::Xml {
                    message: format!("attribute `{key}` on <{name}>: {message}"),
                    position,
                },
                other => other,
            })?;
        if let Some(c) = value.chars().find(|c| !is_xml_char(*c)) {
            return Err(CxmlError::Xml {
                message: format!(
                    "character U+{:04X} is not allowed in XML (attribute `{key}` on <{name}>)",
                    c as u32
                ),
                position: pos(at),
            });
        }
        attrs.push(Attr {
            name: key,
            value: value.into_owned(),
        });
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        pos: at,
    })
}

/// DOCTYPE content split into its parts.
struct DoctypeParts {
    root: String,
    words: Vec<String>,
    literals: Vec<String>,
    subset: Option<String>,
}

/// Splits DOCTYPE content into its parts, honouring quoted literals.
fn split_doctype(content: &str) -> Result<DoctypeParts> {
    let mut words = Vec::new();
    let mut literals = Vec::new();
    let mut subset = None;
    let mut chars = content.char_indices().peekable();
    let mut word = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' => {
                let rest = &content[i + 1..];
                let end = rest.find(c).ok_or_else(|| CxmlError::Xml {
                    message: "unterminated literal in DOCTYPE".into(),
                    position: None,
                })?;
                literals.push(rest[..end].to_string());
                // Skip the literal.
                let stop = i + 1 + end;
                while chars.peek().is_some_and(|(j, _)| *j <= stop) {
                    chars.next();
                }
            }
            '[' => {
                let rest = &content[i + 1..];
                let end = rest.rfind(']').unwrap_or(rest.len());
                subset = Some(rest[..end].to_string());
                break;
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let root = words.first().cloned().unwrap_or_default();
    Ok(DoctypeParts {
        root,
        words,
        literals,
        subset,
    })
}

fn check_doctype(content: &str) -> Result<Doctype> {
    let DoctypeParts {
        root,
        words,
        literals,
        subset,
    } = split_doctype(content)?;
    if let Some(subset) = subset {
        let lower = subset.to_ascii_lowercase();
        let stripped = strip_comments(&lower);
        if stripped.contains("<!entity") {
            let compact: String = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
            let reason = if compact.contains("<!entity %") {
                "DOCTYPE declares parameter entities (<!ENTITY % ...>); refused"
            } else if compact.contains(" system ") || compact.contains(" public ") {
                "DOCTYPE declares external entities (<!ENTITY ... SYSTEM/PUBLIC ...>); refused, nothing is ever fetched"
            } else {
                "DOCTYPE declares entities (internal subset with <!ENTITY ...>); refused"
            };
            return Err(CxmlError::Forbidden {
                reason: reason.into(),
            });
        }
        if stripped.contains('%') {
            return Err(CxmlError::Forbidden {
                reason: "DOCTYPE internal subset uses parameter entity references; refused".into(),
            });
        }
        if !stripped.trim().is_empty() {
            return Err(CxmlError::Forbidden {
                reason:
                    "DOCTYPE has an internal subset; only a reference to the cXML DTD is accepted"
                        .into(),
            });
        }
    }
    let keyword = words.get(1).map(|w| w.to_ascii_uppercase());
    let system_id = match keyword.as_deref() {
        Some("SYSTEM") => literals.first().cloned(),
        Some("PUBLIC") => literals.get(1).cloned(),
        _ => None,
    };
    if let Some(sys) = &system_id {
        let s = sys.trim().to_ascii_lowercase();
        let scheme = s.find(':').map(|i| &s[..i]).filter(|sc| {
            !sc.is_empty()
                && sc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        });
        if let Some(scheme) = scheme {
            if scheme != "http" && scheme != "https" {
                return Err(CxmlError::Forbidden {
                    reason: format!(
                        "DOCTYPE references an external resource with scheme `{scheme}:`; only an http(s) cXML DTD reference is accepted and nothing is ever fetched"
                    ),
                });
            }
        }
    }
    Ok(Doctype { root, system_id })
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i + 4..].find("-->") {
            Some(j) => rest = &rest[i + 4 + j + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_forms() {
        let d = check_doctype(r#"cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd""#)
            .unwrap();
        assert_eq!(d.root, "cXML");
        assert!(d.system_id.unwrap().ends_with("cXML.dtd"));
        assert!(check_doctype(r#"cXML SYSTEM "file:///etc/passwd""#).is_err());
        assert!(check_doctype(r#"cXML [ <!ENTITY a "b"> ]"#).is_err());
        assert!(check_doctype(r#"cXML [ %x; ]"#).is_err());
        assert!(check_doctype(r#"cXML SYSTEM "cXML.dtd" [ ]"#).is_ok());
    }

    #[test]
    fn tree_basics() {
        let doc = parse_document(
            "<a x='1'>t&amp;<b/>&#65;<![CDATA[<c>]]></a>",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(doc.root.name, "a");
        assert_eq!(doc.root.text, "t&A<c>");
        assert_eq!(doc.root.children.len(), 1);
        assert_eq!(doc.root.attrs[0].value, "1");
    }
}
