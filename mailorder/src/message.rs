//! Reading one e-mail with `mail-parser`: headers, bodies and attachments.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// The most a message may weigh; larger ones are refused before parsing.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
/// The most text kept from one attachment.
const MAX_ATTACHMENT_TEXT: usize = 256 * 1024;
/// The most links kept from one message.
pub const MAX_LINKS: usize = 5;

/// Why a message cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is larger than {} MB", MAX_MESSAGE_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the message has no readable headers")]
    NoHeaders,
    #[error("the message has no sender (From)")]
    NoSender,
}

/// What kind of attachment, as far as reading an order goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Csv,
    Pdf,
    /// An order page a link in the message led to (HTML or plain text), read as text.
    Page,
    /// Kept and listed, not read.
    Other,
}

/// One attachment, with its text where it has one to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: usize,
    pub kind: AttachmentKind,
    /// The CSV as text, or the PDF's extracted text.
    pub text: Option<String>,
    /// Why a CSV or PDF could not be read.
    pub problem: Option<String>,
}

/// A message as simdesk keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedMessage {
    /// Without angle brackets; `None` when the sender's system gave none.
    pub message_id: Option<String>,
    /// The sender's address, lower-cased.
    pub from: String,
    pub from_name: String,
    /// Where replies go when the sender asked for another address.
    pub reply_to: Option<String>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// Sent by a machine (`Auto-Submitted`, `Precedence: bulk`, a list): never answered, so
    /// that two robots cannot write to each other forever.
    pub automatic: bool,
    /// The plain-text body, or the HTML body's text when there is no plain one.
    pub text: String,
    /// The HTML body with everything active removed, ready to show.
    pub safe_html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// The web addresses (http, https) in the text and the HTML, in order, at most
    /// [`MAX_LINKS`]: perhaps an order page.
    #[serde(default)]
    pub links: Vec<String>,
}

impl ReceivedMessage {
    /// Where an answer goes.
    pub fn answer_to(&self) -> &str {
        self.reply_to.as_deref().unwrap_or(&self.from)
    }
}

/// Reads `raw`, a whole message as received.
pub fn read_message(raw: &[u8]) -> Result<ReceivedMessage, MessageError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MessageError::Empty);
    }
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(MessageError::TooLarge);
    }
    let message = MessageParser::default()
        .parse(raw)
        .filter(|m| !m.headers().is_empty())
        .ok_or(MessageError::NoHeaders)?;
    let sender = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address().map(|address| (address, a.name().unwrap_or(""))))
        .filter(|(address, _)| address.contains('@'))
        .ok_or(MessageError::NoSender)?;
    let reply_to = message
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .filter(|a| a.contains('@'))
        .map(|a| a.trim().to_lowercase());
    let header_text = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let auto_submitted = header_text("Auto-Submitted");
    let precedence = header_text("Precedence");
    let automatic = (!auto_submitted.is_empty() && auto_submitted != "no")
        || matches!(precedence.as_str(), "bulk" | "list" | "junk")
        || message.header_raw("List-Id").is_some();

    let html = message.body_html(0).map(|h| h.into_owned());
    // An HTML-only message's text breaks a line at each row, item and paragraph, where order
    // lines stand; mail-parser's own conversion runs them together.
    let text = match (&html, message.text_bodies().next()) {
        (Some(html), Some(part)) if part.is_text_html() => page_text(html),
        _ => message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
    };
    let attachments = message.attachments().map(read_attachment).collect();
    let links = links_in(&text, html.as_deref());
    Ok(ReceivedMessage {
        message_id: message
            .message_id()
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty()),
        from: sender.0.trim().to_lowercase(),
        from_name: sender.1.trim().to_owned(),
        reply_to,
        subject: message.subject().unwrap_or("").trim().to_owned(),
        date: message
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        automatic,
        text,
        // Only a plain-text body counts as one: mail-parser offers the text as HTML too.
        safe_html: html
            .filter(|_| message.html_body_count() > 0 && is_html_body(&message))
            .map(|h| safe_html(&h)),
        attachments,
        links,
    })
}

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bhttps?://[^\s<>"'()\[\]{}]+"#).expect("the link pattern is valid")
});

/// The distinct web addresses in `text` and `html` (its `href`s included), without trailing
/// punctuation.
fn links_in(text: &str, html: Option<&str>) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    for source in std::iter::once(text).chain(html) {
        for found in LINK.find_iter(source) {
            let link = found
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?'])
                .replace("&amp;", "&");
            if link.len() <= 2000 && !links.contains(&link) {
                links.push(link);
            }
            if links.len() == MAX_LINKS {
                return links;
            }
        }
    }
    links
}

/// A page that a link led to, fetched by the caller, as an attachment to read: a CSV or PDF
/// as if attached, HTML as its text, plain text as it is.
pub fn read_page(url: &str, content_type: &str, body: &[u8]) -> Attachment {
    let content_type = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let lower_url = url.to_ascii_lowercase();
    let (kind, text, problem) = if content_type == "application/pdf" {
        match pdf_text(body) {
            Ok(text) => (AttachmentKind::Pdf, Some(truncate(text)), None),
            Err(problem) => (AttachmentKind::Pdf, None, Some(problem)),
        }
    } else if content_type == "text/csv" || lower_url.ends_with(".csv") {
        (
            AttachmentKind::Csv,
            Some(truncate(latin1_or_utf8(body))),
            None,
        )
    } else if content_type == "text/html" || content_type == "application/xhtml+xml" {
        let html = latin1_or_utf8(body);
        (AttachmentKind::Page, Some(truncate(page_text(&html))), None)
    } else if content_type == "text/plain" {
        (
            AttachmentKind::Page,
            Some(truncate(latin1_or_utf8(body))),
            None,
        )
    } else {
        (
            AttachmentKind::Other,
            None,
            Some(format!("the page is {content_type}, which is not read")),
        )
    };
    Attachment {
        name: url.to_owned(),
        content_type,
        size: body.len(),
        kind,
        text,
        problem,
    }
}

static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<(tr|p|div|li|h[1-6]|table|ul|ol|section|article|dt|dd)\b")
        .expect("the block pattern is valid")
});
static CELL_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</t[dh]\s*>").expect("the cell pattern is valid"));

/// The text of an HTML page with a line per row, paragraph or heading, as order lines stand
/// in tables: the converter breaks lines only at `<br>`.
fn page_text(html: &str) -> String {
    let marked = BLOCK.replace_all(html, "<br><$1");
    let marked = CELL_END.replace_all(&marked, "$0 ");
    mail_parser::decoders::html::html_to_text(&marked)
}

/// Text that should be UTF-8; files exported on Windows are often Latin-1, where every byte
/// is a character.
fn latin1_or_utf8(bytes: &[u8]) -> String {
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    }
}

/// The HTML without anything active (ammonia's defaults), and without remote images, which
/// would tell the sender when and where the message was read.
fn safe_html(html: &str) -> String {
    ammonia::Builder::default()
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !value.starts_with("data:") {
                None
            } else {
                Some(value.into())
            }
        })
        .clean(html)
        .to_string()
}

fn is_html_body(message: &mail_parser::Message<'_>) -> bool {
    message.html_bodies().any(|p| p.is_text_html())
}

fn read_attachment(part: &mail_parser::MessagePart<'_>) -> Attachment {
    let name = part.attachment_name().unwrap_or("").trim().to_owned();
    let content_type = part
        .content_type()
        .map(|c| match c.subtype() {
            Some(sub) => format!("{}/{}", c.ctype(), sub),
            None => c.ctype().to_owned(),
        })
        .unwrap_or_default()
        .to_ascii_lowercase();
    let lower_name = name.to_ascii_lowercase();
    let kind = if content_type == "application/pdf" || lower_name.ends_with(".pdf") {
        AttachmentKind::Pdf
    } else if content_type == "text/csv" || lower_name.ends_with(".csv") {
        AttachmentKind::Csv
    } else {
        AttachmentKind::Other
    };
    let contents = part.contents();
    let (text, problem) = match kind {
        AttachmentKind::Csv => (Some(truncate(latin1_or_utf8(contents))), None),
        AttachmentKind::Pdf => match pdf_text(contents) {
            Ok(text) => (Some(truncate(text)), None),
            Err(problem) => (None, Some(problem)),
        },
        AttachmentKind::Page | AttachmentKind::Other => (None, None),
    };
    Attachment {
        name,
        content_type,
        size: contents.len(),
        kind,
        text,
        problem,
    }
}

/// The text of a PDF. The extractor panics on some malformed files; a panic is a file that
/// cannot be read, not a crash.
fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    let owned = bytes.to_vec();
    match std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&owned)) {
        Ok(Ok(text)) if text.trim().is_empty() => {
            Err("the PDF has no text (a scanned image?)".to_owned())
        }
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(format!("the PDF cannot be read: {e}")),
        Err(_) => Err("the PDF cannot be read: it is damaged".to_owned()),
    }
}

fn truncate(mut text: String) -> String {
    if text.len() > MAX_ATTACHMENT_TEXT {
        let mut end = MAX_ATTACHMENT_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}
