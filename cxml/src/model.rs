//! The typed cXML model. Field order follows the DTD; every type serializes
//! to JSON with serde so tools can show what was understood.

use crate::money::{Money, Quantity};
use chrono::{DateTime, FixedOffset};
use serde::{Serialize, Serializer};

/// cXML version this crate writes.
pub const CXML_VERSION: &str = "1.2.063";
/// System identifier of the cXML base DTD written in the DOCTYPE.
pub const CXML_DTD_URL: &str = "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd";
/// System identifier of the fulfillment DTD (ConfirmationRequest, ShipNoticeRequest).
pub const FULFILL_DTD_URL: &str = "http://xml.cxml.org/schemas/cXML/1.2.063/Fulfill.dtd";

macro_rules! cxml_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $var),+ }

        impl $name {
            /// All values, in DTD order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The cXML spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }

            /// Case-insensitive lookup of the cXML spelling.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $(if s.eq_ignore_ascii_case($s) { return Some($name::$var); })+
                None
            }
        }

        impl CxmlEnum for $name {
            fn parse_ci(s: &str) -> Option<Self> {
                Self::parse(s)
            }
            fn expected() -> String {
                [$($s),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
/// Enumerated attribute values, looked up case-insensitively.
pub(crate) trait CxmlEnum: Sized + Copy {
    fn parse_ci(s: &str) -> Option<Self>;
    fn expected() -> String;
}

cxml_enum! {
    /// `deploymentMode` of a Request or Message.
    DeploymentMode { /** Live traffic (the DTD default). */ Production => "production", /** Test traffic. */ Test => "test" }
}
cxml_enum! {
    /// `operation` of a PunchOutSetupRequest.
    PunchOutOperation { /** New cart. */ Create => "create", /** Edit a returned cart. */ Edit => "edit", /** Read-only view. */ Inspect => "inspect", /** Sourcing. */ Source => "source" }
}
cxml_enum! {
    /// `operationAllowed` of a PunchOutOrderMessageHeader.
    OperationAllowed { /** Buyer may create. */ Create => "create", /** Buyer may only inspect. */ Inspect => "inspect", /** Buyer may edit. */ Edit => "edit" }
}
cxml_enum! {
    /// `type` of an OrderRequestHeader.
    OrderType { /** New order (the DTD default). */ New => "new", /** Replaces an earlier order. */ Update => "update", /** Cancels an earlier order. */ Delete => "delete" }
}
cxml_enum! {
    /// `type` of a ConfirmationHeader.
    ConfirmationType {
        /** Accepted as ordered. */ Accept => "accept", /** Every line detailed. */ AllDetail => "allDetail",
        /** Some lines detailed. */ Detail => "detail", /** Backordered. */ Backordered => "backordered",
        /** Exceptions only. */ Except => "except", /** Rejected. */ Reject => "reject",
        /** Request to pay. */ RequestToPay => "requestToPay", /** Replaces an earlier confirmation. */ Replace => "replace"
    }
}
cxml_enum! {
    /// `type` of a ConfirmationStatus.
    ConfirmationStatusType {
        /** Accepted. */ Accept => "accept", /** All detail. */ AllDetail => "allDetail", /** Detail. */ Detail => "detail",
        /** Backordered. */ Backordered => "backordered", /** Rejected. */ Reject => "reject",
        /** Unknown. */ Unknown => "unknown", /** Request to pay. */ RequestToPay => "requestToPay"
    }
}
cxml_enum! {
    /// `operation` of a ConfirmationHeader.
    ConfirmationOperation { /** New (the DTD default). */ New => "new", /** Update. */ Update => "update" }
}
cxml_enum! {
    /// `operation` of a ShipNoticeHeader.
    ShipNoticeOperation { /** New (the DTD default). */ New => "new", /** Update. */ Update => "update", /** Delete. */ Delete => "delete" }
}

fn redact<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str("<redacted>"),
        None => s.serialize_none(),
    }
}

/// The `<cXML>` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cxml {
    /// `payloadID`: unique id of this document.
    pub payload_id: String,
    /// `timestamp`, offset preserved.
    pub timestamp: DateTime<FixedOffset>,
    /// `version` as received; written documents always declare [`CXML_VERSION`].
    pub version: Option<String>,
    /// `xml:lang`.
    pub lang: Option<String>,
    /// Request, Response or Message.
    pub body: Body,
}

/// What a cXML document carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // one per document; boxing would only hurt ergonomics
pub enum Body {
    /// `<Header>` + `<Request>`.
    Request(Request),
    /// `<Response>` (no header).
    Response(Response),
    /// `<Header>` + `<Message>` with a PunchOutOrderMessage.
    Message(Message),
}

/// `<Header>`: who sends to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// `<From>` credentials.
    pub from: Vec<Credential>,
    /// `<To>` credentials.
    pub to: Vec<Credential>,
    /// `<Sender>`.
    pub sender: Sender,
}

/// `<Sender>`: credentials (with SharedSecret) and UserAgent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sender {
    /// Sender credentials; the shared secret lives here.
    pub credentials: Vec<Credential>,
    /// `<UserAgent>`.
    pub user_agent: String,
}

/// `<Credential domain="...">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    /// `domain` as given (`NetworkID`, `DUNS`, ...); compare with [`Credential::domain_is`].
    pub domain: String,
    /// `type="marketplace"`.
    pub marketplace: bool,
    /// `<Identity>`.
    pub identity: String,
    /// `<SharedSecret>`; redacted in JSON.
    #[serde(serialize_with = "redact")]
    pub shared_secret: Option<String>,
}

impl Credential {
    /// A credential without secret.
    pub fn new(domain: impl Into<String>, identity: impl Into<String>) -> Self {
        Credential {
            domain: domain.into(),
            marketplace: false,
            identity: identity.into(),
            shared_secret: None,
        }
    }

    /// Adds a shared secret.
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.shared_secret = Some(secret.into());
        self
    }

    /// Case-insensitive domain comparison (`NetworkId` equals `NetworkID`).
    pub fn domain_is(&self, domain: &str) -> bool {
        self.domain.trim().eq_ignore_ascii_case(domain.trim())
    }
}

fn find_cred<'a>(list: &'a [Credential], domain: &str) -> Option<&'a Credential> {
    list.iter().find(|c| c.domain_is(domain))
}

impl Header {
    /// First From credential of `domain` (case-insensitive).
    pub fn from_credential(&self, domain: &str) -> Option<&Credential> {
        find_cred(&self.from, domain)
    }
    /// First To credential of `domain` (case-insensitive).
    pub fn to_credential(&self, domain: &str) -> Option<&Credential> {
        find_cred(&self.to, domain)
    }
    /// First Sender credential of `domain` (case-insensitive).
    pub fn sender_credential(&self, domain: &str) -> Option<&Credential> {
        find_cred(&self.sender.credentials, domain)
    }
    /// The first SharedSecret among the Sender credentials.
    pub fn shared_secret(&self) -> Option<&str> {
        self.sender
            .credentials
            .iter()
            .find_map(|c| c.shared_secret.as_deref())
    }
}

/// `<Request>` with its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The document header.
    pub header: Header,
    /// `deploymentMode`.
    pub deployment_mode: DeploymentMode,
    /// The request itself.
    pub kind: RequestKind,
}

/// Request kinds this crate models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "request")]
#[allow(clippy::large_enum_variant)] // one per document; boxing would only hurt ergonomics
pub enum RequestKind {
    /// `<ProfileRequest/>`.
    ProfileRequest(ProfileRequest),
    /// `<PunchOutSetupRequest>`.
    PunchOutSetupRequest(PunchOutSetupRequest),
    /// `<OrderRequest>`.
    OrderRequest(OrderRequest),
    /// `<ConfirmationRequest>` (Fulfill.dtd).
    ConfirmationRequest(ConfirmationRequest),
    /// `<ShipNoticeRequest>` (Fulfill.dtd).
    ShipNoticeRequest(ShipNoticeRequest),
    /// `<StatusUpdateRequest>`.
    StatusUpdateRequest(StatusUpdateRequest),
}

impl RequestKind {
    /// Element name of the request.
    pub fn element_name(&self) -> &'static str {
        match self {
            RequestKind::ProfileRequest(_) => "ProfileRequest",
            RequestKind::PunchOutSetupRequest(_) => "PunchOutSetupRequest",
            RequestKind::OrderRequest(_) => "OrderRequest",
            RequestKind::ConfirmationRequest(_) => "ConfirmationRequest",
            RequestKind::ShipNoticeRequest(_) => "ShipNoticeRequest",
            RequestKind::StatusUpdateRequest(_) => "StatusUpdateRequest",
        }
    }
}

/// `<Response>`: a status and optionally a response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// `<Status>`.
    pub status: Status,
    /// ProfileResponse or PunchOutSetupResponse, if any.
    pub kind: Option<ResponseKind>,
}

/// Response kinds this crate models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "response")]
pub enum ResponseKind {
    /// `<ProfileResponse>`.
    ProfileResponse(ProfileResponse),
    /// `<PunchOutSetupResponse>`.
    PunchOutSetupResponse(PunchOutSetupResponse),
}

/// `<Message>` carrying a PunchOutOrderMessage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The document header.
    pub header: Header,
    /// `deploymentMode`.
    pub deployment_mode: DeploymentMode,
    /// `inReplyTo`.
    pub in_reply_to: Option<String>,
    /// Optional `<Status>`.
    pub status: Option<Status>,
    /// The cart.
    pub punch_out_order_message: PunchOutOrderMessage,
}

/// `<Status code text>message</Status>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// `code` (HTTP-like: 200, 400, ...).
    pub code: u32,
    /// `text`.
    pub text: String,
    /// `xml:lang`.
    pub lang: Option<String>,
    /// Element body.
    pub message: String,
}

impl Status {
    /// A status without message body.
    pub fn new(code: u32, text: impl Into<String>) -> Self {
        Status {
            code,
            text: text.into(),
            lang: None,
            message: String::new(),
        }
    }
    /// True for 2xx codes.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

/// `<ProfileRequest/>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileRequest {}

/// `<ProfileResponse>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileResponse {
    /// `effectiveDate`.
    pub effective_date: DateTime<FixedOffset>,
    /// `lastRefresh`.
    pub last_refresh: Option<DateTime<FixedOffset>>,
    /// Top-level `<Option name>` values.
    pub options: Vec<ProfileOption>,
    /// Supported transactions (at least one).
    pub transactions: Vec<Transaction>,
}

/// `<Option name="...">value</Option>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileOption {
    /// `name`.
    pub name: String,
    /// Text.
    pub value: String,
}

/// `<Transaction requestName>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// `requestName`, e.g. `OrderRequest`.
    pub request_name: String,
    /// Endpoint URL.
    pub url: String,
    /// Options for this transaction.
    pub options: Vec<ProfileOption>,
}

/// `<Extrinsic name="...">value</Extrinsic>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extrinsic {
    /// `name`.
    pub name: String,
    /// Text content.
    pub value: String,
}

impl Extrinsic {
    /// A name/value pair.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Extrinsic {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// `<Name xml:lang>` or any other localized string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedString {
    /// `xml:lang`.
    pub lang: String,
    /// Text.
    pub value: String,
}

/// `<Address>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    /// `isoCountryCode`.
    pub iso_country_code: Option<String>,
    /// `addressID`.
    pub address_id: Option<String>,
    /// `<Name>`.
    pub name: LocalizedString,
    /// `<PostalAddress>`.
    pub postal_address: Option<PostalAddress>,
    /// `<Email>`.
    pub email: Option<String>,
    /// `<Phone>`.
    pub phone: Option<Phone>,
    /// `<URL>`.
    pub url: Option<String>,
}

/// `<PostalAddress>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostalAddress {
    /// `name` attribute.
    pub name: Option<String>,
    /// `<DeliverTo>` lines.
    pub deliver_to: Vec<String>,
    /// `<Street>` lines (at least one).
    pub streets: Vec<String>,
    /// `<City>`.
    pub city: String,
    /// `<Municipality>`.
    pub municipality: Option<String>,
    /// `<State>`.
    pub state: Option<String>,
    /// `<PostalCode>`.
    pub postal_code: Option<String>,
    /// `<Country isoCountryCode>`: code.
    pub country_code: String,
    /// `<Country>`: text.
    pub country_name: String,
}

/// `<Phone>` with its `<TelephoneNumber>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phone {
    /// `name` attribute.
    pub name: Option<String>,
    /// `<CountryCode isoCountryCode>`.
    pub iso_country_code: String,
    /// `<CountryCode>` dialing prefix.
    pub country_code: String,
    /// `<AreaOrCityCode>`.
    pub area_or_city_code: String,
    /// `<Number>`.
    pub number: String,
    /// `<Extension>`.
    pub extension: Option<String>,
}

/// `<Contact>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// `role`.
    pub role: Option<String>,
    /// `<Name>`.
    pub name: LocalizedString,
    /// `<PostalAddress>` entries.
    pub postal_addresses: Vec<PostalAddress>,
    /// `<Email>` entries.
    pub emails: Vec<String>,
    /// `<Phone>` entries.
    pub phones: Vec<Phone>,
}

/// `<ShipTo>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipTo {
    /// `<Address>`.
    pub address: Address,
}

/// `<BillTo>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillTo {
    /// `<Address>`.
    pub address: Address,
}

/// `<Comments>` (text plus attachment URLs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comments {
    /// `type`.
    pub comment_type: Option<String>,
    /// `xml:lang`.
    pub lang: Option<String>,
    /// Text.
    pub text: String,
    /// `<Attachment><URL>` values.
    pub attachments: Vec<String>,
}

impl Comments {
    /// Plain text comment.
    pub fn text(text: impl Into<String>) -> Self {
        Comments {
            comment_type: None,
            lang: None,
            text: text.into(),
            attachments: Vec::new(),
        }
    }
}

/// `<Description xml:lang>` with optional `<ShortName>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Description {
    /// `xml:lang`.
    pub lang: String,
    /// `type`.
    pub description_type: Option<String>,
    /// `<ShortName>`.
    pub short_name: Option<String>,
    /// Text.
    pub text: String,
}

impl Description {
    /// A description in one language.
    pub fn new(lang: impl Into<String>, text: impl Into<String>) -> Self {
        Description {
            lang: lang.into(),
            description_type: None,
            short_name: None,
            text: text.into(),
        }
    }
}

/// `<Classification domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// `domain`, e.g. `UNSPSC`.
    pub domain: String,
    /// `code` attribute.
    pub code: Option<String>,
    /// Text.
    pub value: String,
}

/// `<ItemID>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemId {
    /// `<SupplierPartID>`.
    pub supplier_part_id: String,
    /// `<SupplierPartAuxiliaryID>` (round-trips the cart line).
    pub supplier_part_auxiliary_id: Option<String>,
    /// `<BuyerPartID>`.
    pub buyer_part_id: Option<String>,
}

impl ItemId {
    /// Just a supplier part id.
    pub fn new(supplier_part_id: impl Into<String>) -> Self {
        ItemId {
            supplier_part_id: supplier_part_id.into(),
            supplier_part_auxiliary_id: None,
            buyer_part_id: None,
        }
    }
}

/// `<ItemDetail>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemDetail {
    /// `<UnitPrice><Money>`.
    pub unit_price: Money,
    /// `<Description>` entries (at least one to write).
    pub descriptions: Vec<Description>,
    /// `<UnitOfMeasure>` (UN/CEFACT code, e.g. `EA`).
    pub unit_of_measure: String,
    /// `<Classification>` entries (at least one to write).
    pub classifications: Vec<Classification>,
    /// `<ManufacturerPartID>`.
    pub manufacturer_part_id: Option<String>,
    /// `<ManufacturerName>`.
    pub manufacturer_name: Option<String>,
    /// `<URL>`.
    pub url: Option<String>,
    /// `<LeadTime>` in days.
    pub lead_time: Option<u32>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

impl ItemDetail {
    /// The UNSPSC classification value, if any (domain compared case-insensitively).
    pub fn unspsc(&self) -> Option<&str> {
        self.classifications
            .iter()
            .find(|c| c.domain.eq_ignore_ascii_case("UNSPSC"))
            .map(|c| c.value.as_str())
    }
}

/// `<Shipping>` or `<Tax>`: an amount with a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Charge {
    /// `<Money>`.
    pub money: Money,
    /// `<Description>`.
    pub description: Description,
}

/// `<ItemOut>`: an ordered line (OrderRequest, PunchOutSetupRequest edit/inspect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemOut {
    /// `quantity`.
    pub quantity: Quantity,
    /// `lineNumber`.
    pub line_number: Option<u32>,
    /// `requestedDeliveryDate`.
    pub requested_delivery_date: Option<DateTime<FixedOffset>>,
    /// `<ItemID>`.
    pub item_id: ItemId,
    /// `<ItemDetail>`.
    pub item_detail: Option<ItemDetail>,
    /// Line `<ShipTo>`.
    pub ship_to: Option<ShipTo>,
    /// `<Comments>`.
    pub comments: Vec<Comments>,
}

/// `<ItemIn>`: a cart line in a PunchOutOrderMessage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemIn {
    /// `quantity`.
    pub quantity: Quantity,
    /// `lineNumber`.
    pub line_number: Option<u32>,
    /// `<ItemID>`.
    pub item_id: ItemId,
    /// `<ItemDetail>`.
    pub item_detail: ItemDetail,
}

/// `<PunchOutSetupRequest>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PunchOutSetupRequest {
    /// `operation`.
    pub operation: PunchOutOperation,
    /// `<BuyerCookie>`: echoed back in the PunchOutOrderMessage.
    pub buyer_cookie: String,
    /// `<Extrinsic>` entries (user e-mail, cost center, ...).
    pub extrinsics: Vec<Extrinsic>,
    /// `<BrowserFormPost><URL>`: where the cart is posted.
    pub browser_form_post: Option<String>,
    /// `<Contact>` entries.
    pub contacts: Vec<Contact>,
    /// `<SupplierSetup><URL>`.
    pub supplier_setup: Option<String>,
    /// `<ShipTo>`.
    pub ship_to: Option<ShipTo>,
    /// `<SelectedItem><ItemID>`.
    pub selected_item: Option<ItemId>,
    /// `<ItemOut>` lines of a cart being edited or inspected.
    pub items: Vec<ItemOut>,
}

/// `<PunchOutSetupResponse>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PunchOutSetupResponse {
    /// `<StartPage><URL>`.
    pub start_page: String,
}

/// `<PunchOutOrderMessage>`: the cart returned to the procurement system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PunchOutOrderMessage {
    /// `<BuyerCookie>` from the setup request.
    pub buyer_cookie: String,
    /// `<PunchOutOrderMessageHeader>`.
    pub header: PunchOutOrderMessageHeader,
    /// `<ItemIn>` lines.
    pub items: Vec<ItemIn>,
}

/// `<PunchOutOrderMessageHeader>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PunchOutOrderMessageHeader {
    /// `operationAllowed`.
    pub operation_allowed: OperationAllowed,
    /// `<Total><Money>`.
    pub total: Money,
    /// `<ShipTo>`.
    pub ship_to: Option<ShipTo>,
    /// `<Shipping>`.
    pub shipping: Option<Charge>,
    /// `<Tax>`.
    pub tax: Option<Charge>,
}

/// `<OrderRequest>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRequest {
    /// `<OrderRequestHeader>`.
    pub header: OrderRequestHeader,
    /// `<ItemOut>` lines (at least one).
    pub items: Vec<ItemOut>,
}

/// `<OrderRequestHeader>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRequestHeader {
    /// `orderID`: the buyer's PO number.
    pub order_id: String,
    /// `orderDate`.
    pub order_date: DateTime<FixedOffset>,
    /// `type`.
    pub order_type: OrderType,
    /// `orderVersion`.
    pub order_version: Option<String>,
    /// `<Total><Money>`.
    pub total: Money,
    /// `<ShipTo>`.
    pub ship_to: Option<ShipTo>,
    /// `<BillTo>`.
    pub bill_to: BillTo,
    /// `<Shipping>`.
    pub shipping: Option<Charge>,
    /// `<Tax>`.
    pub tax: Option<Charge>,
    /// `<Contact>` entries.
    pub contacts: Vec<Contact>,
    /// `<Comments>` entries.
    pub comments: Vec<Comments>,
    /// `<DocumentReference>`: the earlier order for update/delete.
    pub document_reference: Option<DocumentReference>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

/// `<DocumentReference payloadID>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentReference {
    /// `payloadID` of the referenced document.
    pub payload_id: String,
}

impl DocumentReference {
    /// Reference by payload id.
    pub fn new(payload_id: impl Into<String>) -> Self {
        DocumentReference {
            payload_id: payload_id.into(),
        }
    }
}

/// `<OrderReference>`: the order a confirmation or ship notice is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderReference {
    /// `orderID`.
    pub order_id: Option<String>,
    /// `orderDate`.
    pub order_date: Option<DateTime<FixedOffset>>,
    /// `<DocumentReference>` to the OrderRequest.
    pub document_reference: DocumentReference,
}

/// `<ConfirmationRequest>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfirmationRequest {
    /// `<ConfirmationHeader>`.
    pub header: ConfirmationHeader,
    /// `<OrderReference>`.
    pub order_reference: OrderReference,
    /// `<ConfirmationItem>` lines.
    pub items: Vec<ConfirmationItem>,
}

/// `<ConfirmationHeader>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfirmationHeader {
    /// `type`.
    pub confirmation_type: ConfirmationType,
    /// `operation`.
    pub operation: ConfirmationOperation,
    /// `noticeDate`.
    pub notice_date: DateTime<FixedOffset>,
    /// `confirmID`.
    pub confirm_id: Option<String>,
    /// `<Total><Money>`.
    pub total: Option<Money>,
    /// `<Comments>` entries (e.g. the reject reason).
    pub comments: Vec<Comments>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

/// `<ConfirmationItem>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfirmationItem {
    /// `lineNumber` of the ordered line.
    pub line_number: u32,
    /// `quantity` ordered.
    pub quantity: Quantity,
    /// `<UnitOfMeasure>`.
    pub unit_of_measure: String,
    /// `<ConfirmationStatus>` entries (at least one).
    pub statuses: Vec<ConfirmationStatus>,
}

/// `<ConfirmationStatus>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfirmationStatus {
    /// `type`.
    pub status_type: ConfirmationStatusType,
    /// `quantity` this status applies to.
    pub quantity: Quantity,
    /// `shipmentDate`.
    pub shipment_date: Option<DateTime<FixedOffset>>,
    /// `deliveryDate`.
    pub delivery_date: Option<DateTime<FixedOffset>>,
    /// `<UnitOfMeasure>`.
    pub unit_of_measure: String,
    /// `<UnitPrice><Money>`.
    pub unit_price: Option<Money>,
    /// `<Comments>` entries.
    pub comments: Vec<Comments>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

/// `<ShipNoticeRequest>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipNoticeRequest {
    /// `<ShipNoticeHeader>`.
    pub header: ShipNoticeHeader,
    /// `<ShipControl>` entries.
    pub ship_controls: Vec<ShipControl>,
    /// `<ShipNoticePortion>` entries.
    pub portions: Vec<ShipNoticePortion>,
}

/// `<ShipNoticeHeader>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipNoticeHeader {
    /// `shipmentID`.
    pub shipment_id: String,
    /// `operation`.
    pub operation: ShipNoticeOperation,
    /// `noticeDate`.
    pub notice_date: DateTime<FixedOffset>,
    /// `shipmentDate`.
    pub shipment_date: Option<DateTime<FixedOffset>>,
    /// `deliveryDate`.
    pub delivery_date: Option<DateTime<FixedOffset>>,
    /// `<Comments>` entries.
    pub comments: Vec<Comments>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

/// `<ShipControl>`: carrier and tracking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipControl {
    /// `startDate`.
    pub start_date: Option<DateTime<FixedOffset>>,
    /// `<CarrierIdentifier>` entries (at least one).
    pub carriers: Vec<CarrierIdentifier>,
    /// `<ShipmentIdentifier>` entries (at least one): tracking numbers.
    pub shipment_identifiers: Vec<ShipmentIdentifier>,
}

impl ShipControl {
    /// The first tracking number.
    pub fn tracking_number(&self) -> Option<&str> {
        self.shipment_identifiers.first().map(|s| s.value.as_str())
    }
}

/// `<CarrierIdentifier domain>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarrierIdentifier {
    /// `domain`, e.g. `SCAC` or `companyName`.
    pub domain: String,
    /// Text.
    pub value: String,
}

/// `<ShipmentIdentifier>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentIdentifier {
    /// `domain`.
    pub domain: Option<String>,
    /// `trackingURL`.
    pub tracking_url: Option<String>,
    /// The tracking number.
    pub value: String,
}

/// `<ShipNoticePortion>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipNoticePortion {
    /// `<OrderReference>`.
    pub order_reference: OrderReference,
    /// `<Comments>` entries.
    pub comments: Vec<Comments>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
    /// `<ShipNoticeItem>` lines.
    pub items: Vec<ShipNoticeItem>,
}

/// `<ShipNoticeItem>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipNoticeItem {
    /// `lineNumber` of the ordered line.
    pub line_number: u32,
    /// `quantity` shipped.
    pub quantity: Quantity,
    /// `<ItemID>`.
    pub item_id: Option<ItemId>,
    /// `<UnitOfMeasure>`.
    pub unit_of_measure: String,
    /// `<AssetInfo>` entries: the individual units shipped, such as SIMs by their ICCID.
    pub assets: Vec<AssetInfo>,
    /// `<Comments>` entries.
    pub comments: Vec<Comments>,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

/// `<AssetInfo>`: one unit of a shipped line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetInfo {
    /// `serialNumber`: the manufacturer's serial number (a SIM's ICCID).
    pub serial_number: Option<String>,
    /// `tagNumber`.
    pub tag_number: Option<String>,
    /// `<Extrinsic>` entries: more per-unit facts (a SIM's IMSI and MSISDN).
    pub extrinsics: Vec<Extrinsic>,
}

/// `<StatusUpdateRequest>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusUpdateRequest {
    /// `<DocumentReference>` to the document whose status changed.
    pub document_reference: Option<DocumentReference>,
    /// `<Status>`.
    pub status: Status,
    /// `<Extrinsic>` entries.
    pub extrinsics: Vec<Extrinsic>,
}

/// Which DTD a document validates against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Dtd {
    /// `cXML.dtd`.
    Cxml,
    /// `Fulfill.dtd`.
    Fulfill,
}

impl Dtd {
    /// System identifier written in the DOCTYPE.
    pub fn system_id(self) -> &'static str {
        match self {
            Dtd::Cxml => CXML_DTD_URL,
            Dtd::Fulfill => FULFILL_DTD_URL,
        }
    }
    /// File name of the DTD.
    pub fn file_name(self) -> &'static str {
        match self {
            Dtd::Cxml => "cXML.dtd",
            Dtd::Fulfill => "Fulfill.dtd",
        }
    }
}

impl Cxml {
    /// A version 1.2.063 envelope.
    pub fn new(
        payload_id: impl Into<String>,
        timestamp: DateTime<FixedOffset>,
        body: Body,
    ) -> Self {
        Cxml {
            payload_id: payload_id.into(),
            timestamp,
            version: Some(CXML_VERSION.to_string()),
            lang: None,
            body,
        }
    }

    /// The header of a Request or Message.
    pub fn header(&self) -> Option<&Header> {
        match &self.body {
            Body::Request(r) => Some(&r.header),
            Body::Message(m) => Some(&m.header),
            Body::Response(_) => None,
        }
    }

    /// The DTD this document is written against.
    pub fn dtd(&self) -> Dtd {
        match &self.body {
            Body::Request(Request {
                kind: RequestKind::ConfirmationRequest(_) | RequestKind::ShipNoticeRequest(_),
                ..
            }) => Dtd::Fulfill,
            _ => Dtd::Cxml,
        }
    }

    /// Pretty JSON of what was understood (shared secrets redacted).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}
