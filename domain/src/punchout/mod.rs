//! cXML PunchOut and purchase-order intake for procurement systems (SAP Ariba, Coupa, Oracle,
//! Jaggaer): per-account credentials, ProfileRequest, PunchOutSetupRequest with a one-time
//! start link, the cart returned as a PunchOutOrderMessage, and OrderRequests that release,
//! revise or cancel the PO. The documents themselves are the `cxml` crate's; the PO side is
//! `orders::procurement`. Nothing here knows HTTP: the server hands in bytes and sends back
//! the [`Answer`].

pub mod credentials;
mod intake;
pub mod oci;
pub mod outbox;
mod setup;
pub mod shopping;
pub mod visit;

pub(crate) use crate::tokens::{random_token, sha256_hex};
use chrono::{FixedOffset, Utc};
use cxml::{Body, Cxml, Response, ResponseKind, Status};
use rand::RngCore;

use crate::secret::SecretKey;
use crate::DomainError;

pub use intake::handle;

/// Why a cXML request was refused; each maps to one cXML status code.
#[derive(Debug, thiserror::Error)]
pub enum PunchOutError {
    /// The document is malformed or names something that does not fit (400).
    #[error("{0}")]
    BadRequest(String),
    /// Unknown sender, wrong shared secret, disabled credential: never says which (401).
    #[error("Authentication failed.")]
    Unauthorized,
    /// The sender is known, but this user or account may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// A request simdesk does not take at this address (406).
    #[error("{0}")]
    NotAcceptable(String),
    /// The request contradicts what happened before: a reused payloadID, an order already
    /// accepted (409).
    #[error("{0}")]
    Conflict(String),
    /// A hostile or oversized document (413).
    #[error("{0}")]
    TooLarge(String),
    /// A fault of simdesk's; the details stay in the log (500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl PunchOutError {
    /// The cXML status code.
    pub fn code(&self) -> u32 {
        match self {
            PunchOutError::BadRequest(_) => 400,
            PunchOutError::Unauthorized => 401,
            PunchOutError::Forbidden(_) => 403,
            PunchOutError::NotAcceptable(_) => 406,
            PunchOutError::Conflict(_) => 409,
            PunchOutError::TooLarge(_) => 413,
            PunchOutError::Internal(_) => 500,
        }
    }

    /// The `<Status>` the sender receives.
    pub fn status(&self) -> Status {
        let (text, message) = match self {
            PunchOutError::BadRequest(m) => ("Bad Request", m.clone()),
            PunchOutError::Unauthorized => ("Unauthorized", self.to_string()),
            PunchOutError::Forbidden(m) => ("Forbidden", m.clone()),
            PunchOutError::NotAcceptable(m) => ("Not Acceptable", m.clone()),
            PunchOutError::Conflict(m) => ("Conflict", m.clone()),
            PunchOutError::TooLarge(m) => ("Request Entity Too Large", m.clone()),
            PunchOutError::Internal(_) => (
                "Internal Server Error",
                "simdesk could not process the request; send it again later.".to_owned(),
            ),
        };
        let mut status = Status::new(self.code(), text);
        status.message = message;
        status
    }
}

impl From<DomainError> for PunchOutError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => PunchOutError::BadRequest(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            DomainError::Conflict(message) => PunchOutError::Conflict(message.english),
            DomainError::Forbidden => {
                PunchOutError::Forbidden("This is not allowed for this account.".into())
            }
            DomainError::NotFound | DomainError::OutOfScope { .. } => PunchOutError::BadRequest(
                "The order refers to something this account does not have.".into(),
            ),
            DomainError::SignInFailed | DomainError::SsoRequired => PunchOutError::Unauthorized,
            DomainError::Database(e) => PunchOutError::Internal(e.to_string()),
            DomainError::Internal(e) => PunchOutError::Internal(e),
        }
    }
}

impl From<sea_orm::DbErr> for PunchOutError {
    fn from(error: sea_orm::DbErr) -> Self {
        PunchOutError::Internal(error.to_string())
    }
}

impl From<cxml::CxmlError> for PunchOutError {
    fn from(error: cxml::CxmlError) -> Self {
        match error.http_status() {
            413 => PunchOutError::TooLarge(error.to_string()),
            500 => PunchOutError::Internal(error.to_string()),
            _ => PunchOutError::BadRequest(error.to_string()),
        }
    }
}

/// A cXML answer: the status code (also the HTTP status for errors) and the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub code: u32,
    pub xml: String,
}

/// A fresh payloadID: time, randomness and the sender's name, as the cXML spec suggests.
pub(crate) fn payload_id() -> String {
    let mut random = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut random);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}.{hex}@simdesk", Utc::now().timestamp_millis())
}

pub(crate) fn now() -> chrono::DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

/// A `<Response>` document.
pub(crate) fn response_xml(status: Status, kind: Option<ResponseKind>) -> String {
    let document = Cxml::new(
        payload_id(),
        now(),
        Body::Response(Response { status, kind }),
    );
    document.to_xml().unwrap_or_else(|e| {
        // Only a bug makes a Response unwritable; the sender still gets a valid document.
        tracing::error!(error = %e, "writing a cXML response failed");
        fallback_response()
    })
}

fn fallback_response() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE cXML SYSTEM \"{}\">\n\
         <cXML payloadID=\"{}\" timestamp=\"{}\" version=\"{}\"><Response>\
         <Status code=\"500\" text=\"Internal Server Error\"/></Response></cXML>\n",
        cxml::CXML_DTD_URL,
        payload_id(),
        now().to_rfc3339(),
        cxml::CXML_VERSION
    )
}

/// An error as an answer.
pub fn error_answer(error: &PunchOutError) -> Answer {
    Answer {
        code: error.code(),
        xml: response_xml(error.status(), None),
    }
}

/// The header of a document simdesk writes to a procurement system: from the supplier (the
/// tenant, named `simdesk-tenant-{id}`) to the buyer's credential. No shared secret: the
/// outbox adds it only when it sends.
pub(crate) fn supplier_header(
    tenant_id: i64,
    buyer: &crate::entity::punchout_credential::Model,
) -> cxml::Header {
    let supplier = cxml::Credential::new("NetworkID", format!("simdesk-tenant-{tenant_id}"));
    cxml::Header {
        from: vec![supplier.clone()],
        to: vec![cxml::Credential::new(
            buyer.domain.clone(),
            buyer.identity.clone(),
        )],
        sender: cxml::Sender {
            credentials: vec![supplier],
            user_agent: "simdesk".to_owned(),
        },
    }
}

/// The cXML deployment mode of a credential's environment.
pub(crate) fn deployment_mode(
    credential: &crate::entity::punchout_credential::Model,
) -> cxml::DeploymentMode {
    cxml::DeploymentMode::parse(&credential.deployment_mode)
        .unwrap_or(cxml::DeploymentMode::Production)
}

/// Where a document arrived: the tenant's cXML address.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint<'a> {
    pub key: &'a SecretKey,
    pub tenant_slug: &'a str,
    /// The portal's public address, for StartPage and profile URLs.
    pub base_url: &'a str,
}

impl Endpoint<'_> {
    /// The address cXML documents for this tenant are posted to.
    pub fn url(&self) -> String {
        format!("{}/cxml/{}", self.base_url, self.tenant_slug)
    }
}

/// `simdesk:{po}:{line}`: the SupplierPartAuxiliaryID a returned cart's lines carry.
pub(crate) fn cart_reference(po_id: i64, line: usize) -> String {
    format!("simdesk:{po_id}:{line}")
}

/// The PO a returned cart's line belongs to, from its SupplierPartAuxiliaryID.
pub(crate) fn cart_of(auxiliary_id: &str) -> Option<i64> {
    let mut parts = auxiliary_id.trim().split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("simdesk"), Some(po), Some(_line), None) => po.parse().ok(),
        _ => None,
    }
}
