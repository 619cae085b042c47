//! Lenient mapping from the generic element tree to the typed model.

use crate::check::{Problem, Severity};
use crate::error::{CxmlError, Position, Result};
use crate::limits::Limits;
use crate::model::*;
use crate::money::{Money, Quantity};
use crate::time::parse_timestamp_noted;
use crate::tree::{decode, parse_document, Document, Element, LineIndex};
use chrono::{DateTime, FixedOffset};
use std::collections::HashSet;

const MAX_NOTES: usize = 200;

/// A parsed document with the leniency notes collected while reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The typed document.
    pub document: Cxml,
    /// Non-fatal notes (warnings and infos), in document order.
    pub notes: Vec<Problem>,
}

/// Parses a cXML document with default [`Limits`].
pub fn parse(input: &[u8]) -> Result<Cxml> {
    parse_with(input, &Limits::default()).map(|p| p.document)
}

/// Parses a cXML document with the given limits, returning leniency notes too.
pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Parsed> {
    let (document, notes) = parse_collect(input, limits);
    document.map(|document| Parsed { document, notes })
}

/// Parses and returns the notes collected up to success or failure.
pub(crate) fn parse_collect(input: &[u8], limits: &Limits) -> (Result<Cxml>, Vec<Problem>) {
    if input.len() > limits.max_document_bytes {
        let e = CxmlError::LimitExceeded {
            what: "document size (bytes)",
            limit: limits.max_document_bytes,
            position: None,
        };
        return (Err(e), Vec::new());
    }
    let (src, decode_note) = match decode(input) {
        Ok(d) => d,
        Err(e) => return (Err(e), Vec::new()),
    };
    let doc = match parse_document(&src, limits) {
        Ok(d) => d,
        Err(e) => return (Err(e), Vec::new()),
    };
    let mut ctx = Ctx::new(&src);
    if let Some(n) = decode_note {
        ctx.warn(n);
    }
    let document = read_cxml(&mut ctx, &doc);
    if ctx.dropped > 0 {
        let n = ctx.dropped;
        ctx.notes.push(Problem {
            severity: Severity::Info,
            message: format!("{n} further notes suppressed"),
        });
    }
    (document, ctx.notes)
}

impl std::str::FromStr for Cxml {
    type Err = CxmlError;
    fn from_str(s: &str) -> Result<Self> {
        parse(s.as_bytes())
    }
}

struct Ctx<'s> {
    src: &'s str,
    lines: std::cell::OnceCell<LineIndex<'s>>,
    notes: Vec<Problem>,
    seen: HashSet<String>,
    dropped: usize,
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(77).collect();
        t.push_str("...");
        t
    }
}

impl<'s> Ctx<'s> {
    fn new(src: &'s str) -> Self {
        Ctx {
            src,
            lines: std::cell::OnceCell::new(),
            notes: Vec::new(),
            seen: HashSet::new(),
            dropped: 0,
        }
    }

    fn position(&self, byte: usize) -> Position {
        self.lines
            .get_or_init(|| LineIndex::new(self.src))
            .position(byte)
    }

    fn pos(&self, el: &Element) -> Option<Position> {
        Some(self.position(el.pos))
    }

    fn note(&mut self, severity: Severity, message: String) {
        if self.notes.len() >= MAX_NOTES {
            self.dropped += 1;
        } else {
            self.notes.push(Problem { severity, message });
        }
    }

    fn warn(&mut self, message: String) {
        self.note(Severity::Warning, message);
    }

    fn once(&mut self, key: String) -> bool {
        self.seen.insert(key)
    }

    fn line(&self, el: &Element) -> usize {
        self.position(el.pos).line
    }

    fn name_case(&mut self, el: &Element, canonical: &str) {
        if el.name != canonical && self.once(format!("<{}>", el.name)) {
            let line = self.line(el);
            self.warn(format!(
                "element <{}> (line {line}) read as <{canonical}>: names are matched case-insensitively",
                el.name
            ));
        }
    }

    fn child<'e>(&mut self, el: &'e Element, name: &str) -> Option<&'e Element> {
        let found = el
            .children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))?;
        self.name_case(found, name);
        Some(found)
    }

    fn children<'e>(&mut self, el: &'e Element, name: &str) -> Vec<&'e Element> {
        let found: Vec<&Element> = el
            .children
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(name))
            .collect();
        for f in &found {
            self.name_case(f, name);
        }
        found
    }

    fn req_child<'e>(&mut self, el: &'e Element, name: &str) -> Result<&'e Element> {
        self.child(el, name)
            .ok_or_else(|| CxmlError::MissingElement {
                element: name.to_string(),
                parent: el.name.clone(),
                position: self.pos(el),
            })
    }

    /// Notes children that are not in `known` (once per parent/child pair).
    fn known(&mut self, el: &Element, known: &[&str]) {
        for c in &el.children {
            if !known.iter().any(|k| c.name.eq_ignore_ascii_case(k))
                && self.once(format!("ignored {}/{}", el.name, c.name))
            {
                let line = self.line(c);
                self.note(
                    Severity::Info,
                    format!(
                        "ignored element <{}> in <{}> (line {line})",
                        c.name, el.name
                    ),
                );
            }
        }
    }

    fn attr<'e>(&mut self, el: &'e Element, name: &str) -> Option<&'e str> {
        let a = el
            .attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))?;
        if a.name != name && self.once(format!("@{}", a.name)) {
            let line = self.line(el);
            self.warn(format!(
                "attribute `{}` on <{}> (line {line}) read as `{name}`: names are matched case-insensitively",
                a.name, el.name
            ));
        }
        Some(a.value.trim())
    }

    fn opt_attr(&mut self, el: &Element, name: &str) -> Option<String> {
        self.attr(el, name).map(str::to_string)
    }

    fn req_attr(&mut self, el: &Element, name: &str) -> Result<String> {
        self.opt_attr(el, name)
            .ok_or_else(|| CxmlError::MissingAttribute {
                attribute: name.to_string(),
                element: el.name.clone(),
                position: self.pos(el),
            })
    }

    fn invalid(&self, el: &Element, field: String, value: &str, reason: String) -> CxmlError {
        CxmlError::InvalidValue {
            field,
            value: shorten(value),
            reason,
            position: self.pos(el),
        }
    }

    /// Trimmed text; notes when identifiers carried surrounding whitespace.
    fn id_text(&mut self, el: &Element) -> String {
        let t = el.text.trim();
        if t.len() != el.text.len() && !t.is_empty() && self.once(format!("trim {}", el.name)) {
            let line = self.line(el);
            self.warn(format!(
                "whitespace trimmed around <{}> text (line {line})",
                el.name
            ));
        }
        t.to_string()
    }

    fn child_text(&mut self, el: &Element, name: &str) -> Option<String> {
        self.child(el, name).map(|c| c.text.trim().to_string())
    }

    fn req_child_text(&mut self, el: &Element, name: &str) -> Result<String> {
        let c = self.req_child(el, name)?;
        Ok(self.id_text(c))
    }

    fn children_text(&mut self, el: &Element, name: &str) -> Vec<String> {
        self.children(el, name)
            .into_iter()
            .map(|c| c.text.trim().to_string())
            .collect()
    }

    fn timestamp_value(
        &mut self,
        el: &Element,
        field: String,
        value: &str,
    ) -> Result<DateTime<FixedOffset>> {
        match parse_timestamp_noted(value) {
            Ok((t, notes)) => {
                for n in notes {
                    self.warn(format!("{field} {value:?}: {n}"));
                }
                Ok(t)
            }
            Err(reason) => Err(self.invalid(el, field, value, reason)),
        }
    }

    fn opt_time_attr(&mut self, el: &Element, name: &str) -> Result<Option<DateTime<FixedOffset>>> {
        match self.attr(el, name) {
            None => Ok(None),
            Some("") => {
                let line = self.line(el);
                self.warn(format!(
                    "empty `{name}` on <{}> (line {line}) ignored",
                    el.name
                ));
                Ok(None)
            }
            Some(v) => {
                let v = v.to_string();
                let field = format!("{}@{name}", el.name);
                self.timestamp_value(el, field, &v).map(Some)
            }
        }
    }

    fn req_time_attr(&mut self, el: &Element, name: &str) -> Result<DateTime<FixedOffset>> {
        let v = self.req_attr(el, name)?;
        let field = format!("{}@{name}", el.name);
        self.timestamp_value(el, field, &v)
    }

    fn enum_attr<T: CxmlEnum>(
        &mut self,
        el: &Element,
        name: &str,
        default: Option<T>,
    ) -> Result<T> {
        match self.attr(el, name) {
            None => default.ok_or_else(|| CxmlError::MissingAttribute {
                attribute: name.to_string(),
                element: el.name.clone(),
                position: self.pos(el),
            }),
            Some(v) => T::parse_ci(v).ok_or_else(|| {
                self.invalid(
                    el,
                    format!("{}@{name}", el.name),
                    v,
                    format!("expected one of: {}", T::expected()),
                )
            }),
        }
    }

    fn quantity_attr(&mut self, el: &Element, name: &str) -> Result<Quantity> {
        let v = self.req_attr(el, name)?;
        Quantity::parse(&v).map_err(|r| self.invalid(el, format!("{}@{name}", el.name), &v, r))
    }

    fn uint_attr(&mut self, el: &Element, name: &str) -> Result<Option<u32>> {
        match self.attr(el, name) {
            None => Ok(None),
            Some(v) => v.parse::<u32>().map(Some).map_err(|_| {
                self.invalid(
                    el,
                    format!("{}@{name}", el.name),
                    v,
                    "expected a non-negative whole number".into(),
                )
            }),
        }
    }

    fn req_uint_attr(&mut self, el: &Element, name: &str) -> Result<u32> {
        self.uint_attr(el, name)?
            .ok_or_else(|| CxmlError::MissingAttribute {
                attribute: name.to_string(),
                element: el.name.clone(),
                position: self.pos(el),
            })
    }

    fn lang_attr(&mut self, el: &Element) -> String {
        match self.attr(el, "xml:lang") {
            Some(l) => l.to_string(),
            None => {
                let line = self.line(el);
                self.warn(format!(
                    "<{}> (line {line}) had no xml:lang; assumed \"en\"",
                    el.name
                ));
                "en".to_string()
            }
        }
    }
}

fn read_cxml(ctx: &mut Ctx<'_>, doc: &Document) -> Result<Cxml> {
    let root = &doc.root;
    if !root.name.eq_ignore_ascii_case("cXML") {
        return Err(CxmlError::NotCxml {
            found: root.name.clone(),
        });
    }
    if root.name != "cXML" {
        ctx.once(format!("<{}>", root.name));
        let msg = if root.name == "cxml" {
            "root element was lowercase <cxml>; read as <cXML>".to_string()
        } else {
            format!("root element was <{}>; read as <cXML>", root.name)
        };
        ctx.warn(msg);
    }
    if !doc.has_decl {
        ctx.warn("document had no XML declaration".into());
    }
    match &doc.doctype {
        None => ctx.warn("document had no DOCTYPE".into()),
        Some(d) => {
            if !d.root.eq_ignore_ascii_case("cXML") {
                ctx.warn(format!("DOCTYPE names root <{}>, not <cXML>", d.root));
            }
            match &d.system_id {
                Some(sys) if !sys.contains(CXML_VERSION) => ctx.note(
                    Severity::Info,
                    format!(
                        "DOCTYPE references {sys}; read as cXML {CXML_VERSION} (DTD not fetched)"
                    ),
                ),
                Some(_) => {}
                None => ctx.warn("DOCTYPE had no system identifier".into()),
            }
        }
    }
    let payload_id = ctx.req_attr(root, "payloadID")?;
    let timestamp = ctx.req_time_attr(root, "timestamp")?;
    let version = ctx.opt_attr(root, "version");
    let lang = ctx.opt_attr(root, "xml:lang");
    ctx.known(
        root,
        &["Header", "Request", "Response", "Message", "Signature"],
    );
    let body_el = root
        .children
        .iter()
        .find(|c| {
            ["Request", "Response", "Message"]
                .iter()
                .any(|n| c.name.eq_ignore_ascii_case(n))
        })
        .ok_or_else(|| CxmlError::MissingElement {
            element: "Request, Response or Message".into(),
            parent: root.name.clone(),
            position: ctx.pos(root),
        })?;
    let body = match body_el.name.to_ascii_lowercase().as_str() {
        "request" => {
            ctx.name_case(body_el, "Request");
            let h = ctx.req_child(root, "Header")?;
            let header = read_header(ctx, h)?;
            Body::Request(read_request(ctx, body_el, header)?)
        }
        "message" => {
            ctx.name_case(body_el, "Message");
            let h = ctx.req_child(root, "Header")?;
            let header = read_header(ctx, h)?;
            Body::Message(read_message(ctx, body_el, header)?)
        }
        _ => {
            ctx.name_case(body_el, "Response");
            Body::Response(read_response(ctx, body_el)?)
        }
    };
    Ok(Cxml {
        payload_id,
        timestamp,
        version,
        lang,
        body,
    })
}

fn read_header(ctx: &mut Ctx<'_>, el: &Element) -> Result<Header> {
    ctx.known(el, &["From", "To", "Sender", "Path", "OriginalDocument"]);
    let from_el = ctx.req_child(el, "From")?;
    let from = read_credentials(ctx, from_el)?;
    let to_el = ctx.req_child(el, "To")?;
    let to = read_credentials(ctx, to_el)?;
    let sender_el = ctx.req_child(el, "Sender")?;
    let credentials = read_credentials(ctx, sender_el)?;
    let user_agent = match ctx.child_text(sender_el, "UserAgent") {
        Some(ua) => ua,
        None => {
            ctx.warn("<Sender> had no <UserAgent>".into());
            String::new()
        }
    };
    Ok(Header {
        from,
        to,
        sender: Sender {
            credentials,
            user_agent,
        },
    })
}

fn read_credentials(ctx: &mut Ctx<'_>, el: &Element) -> Result<Vec<Credential>> {
    ctx.known(el, &["Credential", "Correspondent", "UserAgent"]);
    let creds = ctx.children(el, "Credential");
    if creds.is_empty() {
        return Err(CxmlError::MissingElement {
            element: "Credential".into(),
            parent: el.name.clone(),
            position: ctx.pos(el),
        });
    }
    creds.into_iter().map(|c| read_credential(ctx, c)).collect()
}

fn read_credential(ctx: &mut Ctx<'_>, el: &Element) -> Result<Credential> {
    ctx.known(
        el,
        &[
            "Identity",
            "SharedSecret",
            "DigitalSignature",
            "CredentialMac",
        ],
    );
    let domain = ctx.req_attr(el, "domain")?;
    let marketplace = match ctx.opt_attr(el, "type") {
        None => false,
        Some(t) if t.eq_ignore_ascii_case("marketplace") => true,
        Some(t) => {
            let line = ctx.line(el);
            ctx.warn(format!(
                "unknown Credential type {t:?} (line {line}) ignored"
            ));
            false
        }
    };
    let identity = ctx.req_child_text(el, "Identity")?;
    let shared_secret = ctx.child(el, "SharedSecret").map(|s| ctx.id_text(s));
    Ok(Credential {
        domain,
        marketplace,
        identity,
        shared_secret,
    })
}

/// The single child element of a wrapper (Request, Response, Message).
fn first_element<'e>(el: &'e Element, skip: &[&str]) -> Option<&'e Element> {
    el.children
        .iter()
        .find(|c| !skip.iter().any(|s| c.name.eq_ignore_ascii_case(s)))
}

fn read_request(ctx: &mut Ctx<'_>, el: &Element, header: Header) -> Result<Request> {
    let deployment_mode = ctx.enum_attr(el, "deploymentMode", Some(DeploymentMode::Production))?;
    let k = first_element(el, &[]).ok_or_else(|| CxmlError::MissingElement {
        element: "a request element (e.g. OrderRequest)".into(),
        parent: el.name.clone(),
        position: ctx.pos(el),
    })?;
    let kind = match k.name.to_ascii_lowercase().as_str() {
        "profilerequest" => {
            ctx.name_case(k, "ProfileRequest");
            RequestKind::ProfileRequest(ProfileRequest {})
        }
        "punchoutsetuprequest" => {
            ctx.name_case(k, "PunchOutSetupRequest");
            RequestKind::PunchOutSetupRequest(read_setup_request(ctx, k)?)
        }
        "orderrequest" => {
            ctx.name_case(k, "OrderRequest");
            RequestKind::OrderRequest(read_order_request(ctx, k)?)
        }
        "confirmationrequest" => {
            ctx.name_case(k, "ConfirmationRequest");
            RequestKind::ConfirmationRequest(read_confirmation(ctx, k)?)
        }
        "shipnoticerequest" => {
            ctx.name_case(k, "ShipNoticeRequest");
            RequestKind::ShipNoticeRequest(read_ship_notice(ctx, k)?)
        }
        "statusupdaterequest" => {
            ctx.name_case(k, "StatusUpdateRequest");
            RequestKind::StatusUpdateRequest(read_status_update(ctx, k)?)
        }
        _ => {
            return Err(CxmlError::Unsupported {
                kind: "request",
                element: k.name.clone(),
                position: ctx.pos(k),
            })
        }
    };
    if el.children.len() > 1 {
        ctx.warn(format!(
            "<Request> had {} child elements; only <{}> was read",
            el.children.len(),
            k.name
        ));
    }
    Ok(Request {
        header,
        deployment_mode,
        kind,
    })
}

fn read_response(ctx: &mut Ctx<'_>, el: &Element) -> Result<Response> {
    let s = ctx.req_child(el, "Status")?;
    let status = read_status(ctx, s)?;
    let kind = match first_element(el, &["Status"]) {
        None => None,
        Some(k) => match k.name.to_ascii_lowercase().as_str() {
            "profileresponse" => {
                ctx.name_case(k, "ProfileResponse");
                Some(ResponseKind::ProfileResponse(read_profile_response(
                    ctx, k,
                )?))
            }
            "punchoutsetupresponse" => {
                ctx.name_case(k, "PunchOutSetupResponse");
                ctx.known(k, &["StartPage"]);
                let sp = ctx.req_child(k, "StartPage")?;
                let start_page = ctx.req_child_text(sp, "URL")?;
                Some(ResponseKind::PunchOutSetupResponse(PunchOutSetupResponse {
                    start_page,
                }))
            }
            _ => {
                return Err(CxmlError::Unsupported {
                    kind: "response",
                    element: k.name.clone(),
                    position: ctx.pos(k),
                })
            }
        },
    };
    Ok(Response { status, kind })
}

fn read_message(ctx: &mut Ctx<'_>, el: &Element, header: Header) -> Result<Message> {
    let deployment_mode = ctx.enum_attr(el, "deploymentMode", Some(DeploymentMode::Production))?;
    let in_reply_to = ctx.opt_attr(el, "inReplyTo");
    let status = match ctx.child(el, "Status") {
        Some(s) => Some(read_status(ctx, s)?),
        None => None,
    };
    let m = first_element(el, &["Status"]).ok_or_else(|| CxmlError::MissingElement {
        element: "PunchOutOrderMessage".into(),
        parent: el.name.clone(),
        position: ctx.pos(el),
    })?;
    if !m.name.eq_ignore_ascii_case("PunchOutOrderMessage") {
        return Err(CxmlError::Unsupported {
            kind: "message",
            element: m.name.clone(),
            position: ctx.pos(m),
        });
    }
    ctx.name_case(m, "PunchOutOrderMessage");
    Ok(Message {
        header,
        deployment_mode,
        in_reply_to,
        status,
        punch_out_order_message: read_poom(ctx, m)?,
    })
}

fn read_status(ctx: &mut Ctx<'_>, el: &Element) -> Result<Status> {
    let code_s = ctx.req_attr(el, "code")?;
    let code = code_s.parse::<u32>().map_err(|_| {
        ctx.invalid(
            el,
            "Status@code".into(),
            &code_s,
            "expected a numeric status code".into(),
        )
    })?;
    let text = match ctx.opt_attr(el, "text") {
        Some(t) => t,
        None => {
            ctx.warn("<Status> had no `text` attribute".into());
            String::new()
        }
    };
    Ok(Status {
        code,
        text,
        lang: ctx.opt_attr(el, "xml:lang"),
        message: el.text.trim().to_string(),
    })
}

fn read_options(ctx: &mut Ctx<'_>, el: &Element) -> Result<Vec<ProfileOption>> {
    ctx.children(el, "Option")
        .into_iter()
        .map(|o| {
            Ok(ProfileOption {
                name: ctx.req_attr(o, "name")?,
                value: o.text.trim().to_string(),
            })
        })
        .collect()
}

fn read_profile_response(ctx: &mut Ctx<'_>, el: &Element) -> Result<ProfileResponse> {
    ctx.known(el, &["Option", "Transaction"]);
    let effective_date = ctx.req_time_attr(el, "effectiveDate")?;
    let last_refresh = ctx.opt_time_attr(el, "lastRefresh")?;
    let options = read_options(ctx, el)?;
    let mut transactions = Vec::new();
    for t in ctx.children(el, "Transaction") {
        ctx.known(t, &["URL", "Option"]);
        transactions.push(Transaction {
            request_name: ctx.req_attr(t, "requestName")?,
            url: ctx.req_child_text(t, "URL")?,
            options: read_options(ctx, t)?,
        });
    }
    if transactions.is_empty() {
        ctx.req_child(el, "Transaction")?;
    }
    Ok(ProfileResponse {
        effective_date,
        last_refresh,
        options,
        transactions,
    })
}

fn read_extrinsics(ctx: &mut Ctx<'_>, el: &Element) -> Result<Vec<Extrinsic>> {
    let mut out = Vec::new();
    for x in ctx.children(el, "Extrinsic") {
        if !x.children.is_empty() && ctx.once(format!("extrinsic-markup {}", x.pos)) {
            let line = ctx.line(x);
            ctx.note(
                Severity::Info,
                format!("markup inside <Extrinsic> (line {line}) ignored; only its text was kept"),
            );
        }
        out.push(Extrinsic {
            name: ctx.req_attr(x, "name")?,
            value: x.text.trim().to_string(),
        });
    }
    Ok(out)
}

fn read_comments(ctx: &mut Ctx<'_>, el: &Element) -> Vec<Comments> {
    let mut out = Vec::new();
    for c in ctx.children(el, "Comments") {
        let mut attachments = Vec::new();
        for a in ctx.children(c, "Attachment") {
            if let Some(u) = ctx.child_text(a, "URL") {
                attachments.push(u);
            }
        }
        out.push(Comments {
            comment_type: ctx.opt_attr(c, "type"),
            lang: ctx.opt_attr(c, "xml:lang"),
            text: c.text.trim().to_string(),
            attachments,
        });
    }
    out
}

fn read_money_el(ctx: &mut Ctx<'_>, m: &Element) -> Result<Money> {
    let currency = ctx.req_attr(m, "currency")?;
    let text = m.text.trim();
    Money::parse(text, &currency).map_err(|r| ctx.invalid(m, format!("<{}>", m.name), text, r))
}

/// `<Total>`, `<UnitPrice>`, `<Shipping>` and `<Tax>` hold a `<Money>`.
fn read_money_in(ctx: &mut Ctx<'_>, el: &Element) -> Result<Money> {
    let m = ctx.req_child(el, "Money")?;
    read_money_el(ctx, m)
}

fn read_description(ctx: &mut Ctx<'_>, el: &Element) -> Description {
    Description {
        lang: ctx.lang_attr(el),
        description_type: ctx.opt_attr(el, "type"),
        short_name: ctx.child_text(el, "ShortName"),
        text: el.text.trim().to_string(),
    }
}

fn read_charge(ctx: &mut Ctx<'_>, el: &Element) -> Result<Charge> {
    let money = read_money_in(ctx, el)?;
    let d = ctx.req_child(el, "Description")?;
    Ok(Charge {
        money,
        description: read_description(ctx, d),
    })
}

fn opt_charge(ctx: &mut Ctx<'_>, el: &Element, name: &str) -> Result<Option<Charge>> {
    match ctx.child(el, name) {
        Some(c) => read_charge(ctx, c).map(Some),
        None => Ok(None),
    }
}

fn read_phone(ctx: &mut Ctx<'_>, el: &Element) -> Result<Phone> {
    let tn = ctx.req_child(el, "TelephoneNumber")?;
    let cc = ctx.req_child(tn, "CountryCode")?;
    Ok(Phone {
        name: ctx.opt_attr(el, "name"),
        iso_country_code: ctx.opt_attr(cc, "isoCountryCode").unwrap_or_default(),
        country_code: cc.text.trim().to_string(),
        area_or_city_code: ctx.child_text(tn, "AreaOrCityCode").unwrap_or_default(),
        number: ctx.req_child_text(tn, "Number")?,
        extension: ctx.child_text(tn, "Extension"),
    })
}

fn read_postal(ctx: &mut Ctx<'_>, el: &Element) -> Result<PostalAddress> {
    ctx.known(
        el,
        &[
            "DeliverTo",
            "Street",
            "City",
            "Municipality",
            "State",
            "PostalCode",
            "Country",
            "Extrinsic",
        ],
    );
    let country = ctx.req_child(el, "Country")?;
    let streets = ctx.children_text(el, "Street");
    if streets.is_empty() {
        ctx.req_child(el, "Street")?;
    }
    Ok(PostalAddress {
        name: ctx.opt_attr(el, "name"),
        deliver_to: ctx.children_text(el, "DeliverTo"),
        streets,
        city: ctx.req_child_text(el, "City")?,
        municipality: ctx.child_text(el, "Municipality"),
        state: ctx.child_text(el, "State"),
        postal_code: ctx.child_text(el, "PostalCode"),
        country_code: ctx.req_attr(country, "isoCountryCode")?,
        country_name: country.text.trim().to_string(),
    })
}

fn read_name(ctx: &mut Ctx<'_>, el: &Element) -> Result<LocalizedString> {
    let n = ctx.req_child(el, "Name")?;
    Ok(LocalizedString {
        lang: ctx.lang_attr(n),
        value: n.text.trim().to_string(),
    })
}

fn read_address(ctx: &mut Ctx<'_>, el: &Element) -> Result<Address> {
    ctx.known(
        el,
        &["Name", "PostalAddress", "Email", "Phone", "Fax", "URL"],
    );
    let postal_address = match ctx.child(el, "PostalAddress") {
        Some(p) => Some(read_postal(ctx, p)?),
        None => None,
    };
    let phone = match ctx.child(el, "Phone") {
        Some(p) => Some(read_phone(ctx, p)?),
        None => None,
    };
    Ok(Address {
        iso_country_code: ctx.opt_attr(el, "isoCountryCode"),
        address_id: ctx.opt_attr(el, "addressID"),
        name: read_name(ctx, el)?,
        postal_address,
        email: ctx.child_text(el, "Email"),
        phone,
        url: ctx.child_text(el, "URL"),
    })
}

fn read_ship_to(ctx: &mut Ctx<'_>, el: &Element) -> Result<Option<ShipTo>> {
    match ctx.child(el, "ShipTo") {
        Some(s) => {
            let a = ctx.req_child(s, "Address")?;
            Ok(Some(ShipTo {
                address: read_address(ctx, a)?,
            }))
        }
        None => Ok(None),
    }
}

fn read_contacts(ctx: &mut Ctx<'_>, el: &Element) -> Result<Vec<Contact>> {
    let mut out = Vec::new();
    for c in ctx.children(el, "Contact") {
        let mut postal_addresses = Vec::new();
        for p in ctx.children(c, "PostalAddress") {
            postal_addresses.push(read_postal(ctx, p)?);
        }
        let mut phones = Vec::new();
        for p in ctx.children(c, "Phone") {
            phones.push(read_phone(ctx, p)?);
        }
        out.push(Contact {
            role: ctx.opt_attr(c, "role"),
            name: read_name(ctx, c)?,
            postal_addresses,
            emails: ctx.children_text(c, "Email"),
            phones,
        });
    }
    Ok(out)
}

fn read_item_id(ctx: &mut Ctx<'_>, el: &Element) -> Result<ItemId> {
    ctx.known(
        el,
        &[
            "SupplierPartID",
            "SupplierPartAuxiliaryID",
            "BuyerPartID",
            "IdReference",
        ],
    );
    let aux = ctx
        .child(el, "SupplierPartAuxiliaryID")
        .map(|a| ctx.id_text(a));
    Ok(ItemId {
        supplier_part_id: ctx.req_child_text(el, "SupplierPartID")?,
        supplier_part_auxiliary_id: aux,
        buyer_part_id: ctx.child_text(el, "BuyerPartID"),
    })
}

fn read_item_detail(ctx: &mut Ctx<'_>, el: &Element) -> Result<ItemDetail> {
    ctx.known(
        el,
        &[
            "UnitPrice",
            "Description",
            "UnitOfMeasure",
            "Classification",
            "ManufacturerPartID",
            "ManufacturerName",
            "URL",
            "LeadTime",
            "Extrinsic",
        ],
    );
    let up = ctx.req_child(el, "UnitPrice")?;
    let unit_price = read_money_in(ctx, up)?;
    let descriptions: Vec<Description> = ctx
        .children(el, "Description")
        .into_iter()
        .map(|d| read_description(ctx, d))
        .collect();
    if descriptions.is_empty() {
        let line = ctx.line(el);
        ctx.warn(format!("<ItemDetail> (line {line}) had no <Description>"));
    }
    let mut classifications = Vec::new();
    for c in ctx.children(el, "Classification") {
        classifications.push(Classification {
            domain: ctx.req_attr(c, "domain")?,
            code: ctx.opt_attr(c, "code"),
            value: c.text.trim().to_string(),
        });
    }
    if classifications.is_empty() {
        let line = ctx.line(el);
        ctx.warn(format!(
            "<ItemDetail> (line {line}) had no <Classification>"
        ));
    }
    let lead_time = match ctx.child(el, "LeadTime") {
        Some(l) => {
            let t = l.text.trim();
            Some(t.parse::<u32>().map_err(|_| {
                ctx.invalid(
                    l,
                    "<LeadTime>".into(),
                    t,
                    "expected a whole number of days".into(),
                )
            })?)
        }
        None => None,
    };
    Ok(ItemDetail {
        unit_price,
        descriptions,
        unit_of_measure: ctx.req_child_text(el, "UnitOfMeasure")?,
        classifications,
        manufacturer_part_id: ctx.child_text(el, "ManufacturerPartID"),
        manufacturer_name: ctx.child_text(el, "ManufacturerName"),
        url: ctx.child_text(el, "URL"),
        lead_time,
        extrinsics: read_extrinsics(ctx, el)?,
    })
}

fn read_item_out(ctx: &mut Ctx<'_>, el: &Element) -> Result<ItemOut> {
    ctx.known(el, &["ItemID", "ItemDetail", "ShipTo", "Comments"]);
    let id = ctx.req_child(el, "ItemID")?;
    let item_detail = match ctx.child(el, "ItemDetail") {
        Some(d) => Some(read_item_detail(ctx, d)?),
        None => None,
    };
    Ok(ItemOut {
        quantity: ctx.quantity_attr(el, "quantity")?,
        line_number: ctx.uint_attr(el, "lineNumber")?,
        requested_delivery_date: ctx.opt_time_attr(el, "requestedDeliveryDate")?,
        item_id: read_item_id(ctx, id)?,
        item_detail,
        ship_to: read_ship_to(ctx, el)?,
        comments: read_comments(ctx, el),
    })
}

fn read_item_outs(ctx: &mut Ctx<'_>, el: &Element) -> Result<Vec<ItemOut>> {
    ctx.children(el, "ItemOut")
        .into_iter()
        .map(|i| read_item_out(ctx, i))
        .collect()
}

fn read_url_in(ctx: &mut Ctx<'_>, el: &Element, wrapper: &str) -> Result<Option<String>> {
    match ctx.child(el, wrapper) {
        Some(w) => ctx.req_child_text(w, "URL").map(Some),
        None => Ok(None),
    }
}

fn read_setup_request(ctx: &mut Ctx<'_>, el: &Element) -> Result<PunchOutSetupRequest> {
    ctx.known(
        el,
        &[
            "BuyerCookie",
            "Extrinsic",
            "BrowserFormPost",
            "Contact",
            "SupplierSetup",
            "ShipTo",
            "SelectedItem",
            "ItemOut",
        ],
    );
    let operation = ctx.enum_attr(el, "operation", None)?;
    let selected_item = match ctx.child(el, "SelectedItem") {
        Some(s) => {
            let id = ctx.req_child(s, "ItemID")?;
            Some(read_item_id(ctx, id)?)
        }
        None => None,
    };
    Ok(PunchOutSetupRequest {
        operation,
        buyer_cookie: ctx.req_child_text(el, "BuyerCookie")?,
        extrinsics: read_extrinsics(ctx, el)?,
        browser_form_post: read_url_in(ctx, el, "BrowserFormPost")?,
        contacts: read_contacts(ctx, el)?,
        supplier_setup: read_url_in(ctx, el, "SupplierSetup")?,
        ship_to: read_ship_to(ctx, el)?,
        selected_item,
        items: read_item_outs(ctx, el)?,
    })
}

fn read_poom(ctx: &mut Ctx<'_>, el: &Element) -> Result<PunchOutOrderMessage> {
    ctx.known(el, &["BuyerCookie", "PunchOutOrderMessageHeader", "ItemIn"]);
    let h = ctx.req_child(el, "PunchOutOrderMessageHeader")?;
    ctx.known(h, &["Total", "ShipTo", "Shipping", "Tax"]);
    let total_el = ctx.req_child(h, "Total")?;
    let header = PunchOutOrderMessageHeader {
        operation_allowed: ctx.enum_attr(h, "operationAllowed", None)?,
        total: read_money_in(ctx, total_el)?,
        ship_to: read_ship_to(ctx, h)?,
        shipping: opt_charge(ctx, h, "Shipping")?,
        tax: opt_charge(ctx, h, "Tax")?,
    };
    let mut items = Vec::new();
    for i in ctx.children(el, "ItemIn") {
        ctx.known(i, &["ItemID", "ItemDetail"]);
        let id = ctx.req_child(i, "ItemID")?;
        let d = ctx.req_child(i, "ItemDetail")?;
        items.push(ItemIn {
            quantity: ctx.quantity_attr(i, "quantity")?,
            line_number: ctx.uint_attr(i, "lineNumber")?,
            item_id: read_item_id(ctx, id)?,
            item_detail: read_item_detail(ctx, d)?,
        });
    }
    Ok(PunchOutOrderMessage {
        buyer_cookie: ctx.req_child_text(el, "BuyerCookie")?,
        header,
        items,
    })
}

fn read_doc_ref(ctx: &mut Ctx<'_>, el: &Element) -> Result<DocumentReference> {
    Ok(DocumentReference {
        payload_id: ctx.req_attr(el, "payloadID")?,
    })
}

fn read_order_request(ctx: &mut Ctx<'_>, el: &Element) -> Result<OrderRequest> {
    ctx.known(el, &["OrderRequestHeader", "ItemOut"]);
    let h = ctx.req_child(el, "OrderRequestHeader")?;
    ctx.known(
        h,
        &[
            "Total",
            "ShipTo",
            "BillTo",
            "Shipping",
            "Tax",
            "Contact",
            "Comments",
            "DocumentReference",
            "Extrinsic",
        ],
    );
    let total_el = ctx.req_child(h, "Total")?;
    let bill_el = ctx.req_child(h, "BillTo")?;
    let bill_addr = ctx.req_child(bill_el, "Address")?;
    let document_reference = match ctx.child(h, "DocumentReference") {
        Some(d) => Some(read_doc_ref(ctx, d)?),
        None => None,
    };
    let header = OrderRequestHeader {
        order_id: ctx.req_attr(h, "orderID")?,
        order_date: ctx.req_time_attr(h, "orderDate")?,
        order_type: ctx.enum_attr(h, "type", Some(OrderType::New))?,
        order_version: ctx.opt_attr(h, "orderVersion"),
        total: read_money_in(ctx, total_el)?,
        ship_to: read_ship_to(ctx, h)?,
        bill_to: BillTo {
            address: read_address(ctx, bill_addr)?,
        },
        shipping: opt_charge(ctx, h, "Shipping")?,
        tax: opt_charge(ctx, h, "Tax")?,
        contacts: read_contacts(ctx, h)?,
        comments: read_comments(ctx, h),
        document_reference,
        extrinsics: read_extrinsics(ctx, h)?,
    };
    let items = read_item_outs(ctx, el)?;
    if items.is_empty() {
        ctx.req_child(el, "ItemOut")?;
    }
    Ok(OrderRequest { header, items })
}

fn read_order_reference(ctx: &mut Ctx<'_>, el: &Element) -> Result<OrderReference> {
    let r = ctx.req_child(el, "OrderReference")?;
    let d = ctx.req_child(r, "DocumentReference")?;
    Ok(OrderReference {
        order_id: ctx.opt_attr(r, "orderID"),
        order_date: ctx.opt_time_attr(r, "orderDate")?,
        document_reference: read_doc_ref(ctx, d)?,
    })
}

fn read_confirmation(ctx: &mut Ctx<'_>, el: &Element) -> Result<ConfirmationRequest> {
    ctx.known(
        el,
        &["ConfirmationHeader", "OrderReference", "ConfirmationItem"],
    );
    let h = ctx.req_child(el, "ConfirmationHeader")?;
    ctx.known(h, &["Total", "Comments", "Extrinsic"]);
    let total = match ctx.child(h, "Total") {
        Some(t) => Some(read_money_in(ctx, t)?),
        None => None,
    };
    let header = ConfirmationHeader {
        confirmation_type: ctx.enum_attr(h, "type", None)?,
        operation: ctx.enum_attr(h, "operation", Some(ConfirmationOperation::New))?,
        notice_date: ctx.req_time_attr(h, "noticeDate")?,
        confirm_id: ctx.opt_attr(h, "confirmID"),
        total,
        comments: read_comments(ctx, h),
        extrinsics: read_extrinsics(ctx, h)?,
    };
    let order_reference = read_order_reference(ctx, el)?;
    let mut items = Vec::new();
    for i in ctx.children(el, "ConfirmationItem") {
        ctx.known(i, &["UnitOfMeasure", "ConfirmationStatus"]);
        let mut statuses = Vec::new();
        for s in ctx.children(i, "ConfirmationStatus") {
            ctx.known(s, &["UnitOfMeasure", "UnitPrice", "Comments", "Extrinsic"]);
            let unit_price = match ctx.child(s, "UnitPrice") {
                Some(u) => Some(read_money_in(ctx, u)?),
                None => None,
            };
            statuses.push(ConfirmationStatus {
                status_type: ctx.enum_attr(s, "type", None)?,
                quantity: ctx.quantity_attr(s, "quantity")?,
                shipment_date: ctx.opt_time_attr(s, "shipmentDate")?,
                delivery_date: ctx.opt_time_attr(s, "deliveryDate")?,
                unit_of_measure: ctx.req_child_text(s, "UnitOfMeasure")?,
                unit_price,
                comments: read_comments(ctx, s),
                extrinsics: read_extrinsics(ctx, s)?,
            });
        }
        if statuses.is_empty() {
            ctx.req_child(i, "ConfirmationStatus")?;
        }
        items.push(ConfirmationItem {
            line_number: ctx.req_uint_attr(i, "lineNumber")?,
            quantity: ctx.quantity_attr(i, "quantity")?,
            unit_of_measure: ctx.req_child_text(i, "UnitOfMeasure")?,
            statuses,
        });
    }
    Ok(ConfirmationRequest {
        header,
        order_reference,
        items,
    })
}

fn read_ship_notice(ctx: &mut Ctx<'_>, el: &Element) -> Result<ShipNoticeRequest> {
    ctx.known(
        el,
        &["ShipNoticeHeader", "ShipControl", "ShipNoticePortion"],
    );
    let h = ctx.req_child(el, "ShipNoticeHeader")?;
    ctx.known(h, &["Comments", "Extrinsic"]);
    let header = ShipNoticeHeader {
        shipment_id: ctx.req_attr(h, "shipmentID")?,
        operation: ctx.enum_attr(h, "operation", Some(ShipNoticeOperation::New))?,
        notice_date: ctx.req_time_attr(h, "noticeDate")?,
        shipment_date: ctx.opt_time_attr(h, "shipmentDate")?,
        delivery_date: ctx.opt_time_attr(h, "deliveryDate")?,
        comments: read_comments(ctx, h),
        extrinsics: read_extrinsics(ctx, h)?,
    };
    let mut ship_controls = Vec::new();
    for c in ctx.children(el, "ShipControl") {
        ctx.known(c, &["CarrierIdentifier", "ShipmentIdentifier"]);
        let mut carriers = Vec::new();
        for ci in ctx.children(c, "CarrierIdentifier") {
            carriers.push(CarrierIdentifier {
                domain: ctx.req_attr(ci, "domain")?,
                value: ctx.id_text(ci),
            });
        }
        if carriers.is_empty() {
            ctx.req_child(c, "CarrierIdentifier")?;
        }
        let mut shipment_identifiers = Vec::new();
        for si in ctx.children(c, "ShipmentIdentifier") {
            shipment_identifiers.push(ShipmentIdentifier {
                domain: ctx.opt_attr(si, "domain"),
                tracking_url: ctx.opt_attr(si, "trackingURL"),
                value: ctx.id_text(si),
            });
        }
        if shipment_identifiers.is_empty() {
            ctx.req_child(c, "ShipmentIdentifier")?;
        }
        ship_controls.push(ShipControl {
            start_date: ctx.opt_time_attr(c, "startDate")?,
            carriers,
            shipment_identifiers,
        });
    }
    let mut portions = Vec::new();
    for p in ctx.children(el, "ShipNoticePortion") {
        ctx.known(
            p,
            &["OrderReference", "Comments", "Extrinsic", "ShipNoticeItem"],
        );
        let mut items = Vec::new();
        for i in ctx.children(p, "ShipNoticeItem") {
            ctx.known(
                i,
                &[
                    "ItemID",
                    "UnitOfMeasure",
                    "AssetInfo",
                    "Comments",
                    "Extrinsic",
                ],
            );
            let mut assets = Vec::new();
            for a in ctx.children(i, "AssetInfo") {
                ctx.known(a, &["Extrinsic"]);
                assets.push(AssetInfo {
                    serial_number: ctx.opt_attr(a, "serialNumber"),
                    tag_number: ctx.opt_attr(a, "tagNumber"),
                    extrinsics: read_extrinsics(ctx, a)?,
                });
            }
            let item_id = match ctx.child(i, "ItemID") {
                Some(id) => Some(read_item_id(ctx, id)?),
                None => None,
            };
            items.push(ShipNoticeItem {
                line_number: ctx.req_uint_attr(i, "lineNumber")?,
                quantity: ctx.quantity_attr(i, "quantity")?,
                item_id,
                unit_of_measure: ctx.req_child_text(i, "UnitOfMeasure")?,
                assets,
                comments: read_comments(ctx, i),
                extrinsics: read_extrinsics(ctx, i)?,
            });
        }
        portions.push(ShipNoticePortion {
            order_reference: read_order_reference(ctx, p)?,
            comments: read_comments(ctx, p),
            extrinsics: read_extrinsics(ctx, p)?,
            items,
        });
    }
    Ok(ShipNoticeRequest {
        header,
        ship_controls,
        portions,
    })
}

fn read_status_update(ctx: &mut Ctx<'_>, el: &Element) -> Result<StatusUpdateRequest> {
    ctx.known(el, &["DocumentReference", "Status", "Extrinsic"]);
    let document_reference = match ctx.child(el, "DocumentReference") {
        Some(d) => Some(read_doc_ref(ctx, d)?),
        None => None,
    };
    let s = ctx.req_child(el, "Status")?;
    Ok(StatusUpdateRequest {
        document_reference,
        status: read_status(ctx, s)?,
        extrinsics: read_extrinsics(ctx, el)?,
    })
}
