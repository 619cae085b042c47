//! Strict writer: DTD element order, XML declaration, DOCTYPE, escaping.

use crate::error::{CxmlError, Result};
use crate::model::*;
use crate::money::Money;
use crate::time::format_timestamp;
use chrono::{DateTime, FixedOffset};

type Attrs<'a> = &'a [(&'a str, Option<&'a str>)];

struct W {
    out: String,
    depth: usize,
    err: Option<String>,
}

fn valid_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_nmtoken(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | '-' | '_' | ':')
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

impl W {
    fn fail(&mut self, msg: impl Into<String>) {
        if self.err.is_none() {
            self.err = Some(msg.into());
        }
    }

    fn escape(&mut self, s: &str, attr: bool) {
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' if attr => self.out.push_str("&quot;"),
                '\'' if attr => self.out.push_str("&apos;"),
                '\t' if attr => self.out.push_str("&#9;"),
                '\n' if attr => self.out.push_str("&#10;"),
                '\r' => self.out.push_str("&#13;"),
                c if !valid_xml_char(c) => self.fail(format!(
                    "character U+{:04X} cannot be written in XML",
                    c as u32
                )),
                c => self.out.push(c),
            }
        }
    }

    fn indent(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attrs: Attrs<'_>) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            if let Some(v) = v {
                self.out.push(' ');
                self.out.push_str(k);
                self.out.push_str("=\"");
                self.escape(v, true);
                self.out.push('"');
            }
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs<'_>) {
        self.indent();
        self.tag(name, attrs);
        self.out.push('>');
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn empty(&mut self, name: &str, attrs: Attrs<'_>) {
        self.indent();
        self.tag(name, attrs);
        self.out.push_str("/>");
    }

    fn leaf_inline(&mut self, name: &str, attrs: Attrs<'_>, text: &str) {
        self.tag(name, attrs);
        self.out.push('>');
        self.escape(text, false);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn leaf(&mut self, name: &str, attrs: Attrs<'_>, text: &str) {
        self.indent();
        self.leaf_inline(name, attrs, text);
    }

    fn opt_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, &[], t);
        }
    }

    fn need<T>(&mut self, v: &[T], what: &str) {
        if v.is_empty() {
            self.fail(format!("{what} must not be empty"));
        }
    }
}

fn ts(t: &DateTime<FixedOffset>) -> String {
    format_timestamp(t)
}

fn ots(t: &Option<DateTime<FixedOffset>>) -> Option<String> {
    t.as_ref().map(format_timestamp)
}

impl Cxml {
    /// Writes the document as DTD-valid cXML 1.2.063 with XML declaration
    /// and DOCTYPE. Fails if the document cannot be represented validly.
    pub fn to_xml(&self) -> Result<String> {
        let mut w = W {
            out: String::with_capacity(4096),
            depth: 0,
            err: None,
        };
        w.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w.out.push_str("<!DOCTYPE cXML SYSTEM \"");
        w.out.push_str(self.dtd().system_id());
        w.out.push_str("\">");
        let timestamp = ts(&self.timestamp);
        w.open(
            "cXML",
            &[
                ("payloadID", Some(&self.payload_id)),
                ("timestamp", Some(&timestamp)),
                ("version", Some(CXML_VERSION)),
                ("xml:lang", self.lang.as_deref()),
            ],
        );
        if self.payload_id.trim().is_empty() {
            w.fail("payloadID must not be empty");
        }
        match &self.body {
            Body::Request(r) => {
                write_header(&mut w, &r.header);
                let mode = (r.deployment_mode == DeploymentMode::Test).then_some("test");
                w.open("Request", &[("deploymentMode", mode)]);
                write_request(&mut w, &r.kind);
                w.close("Request");
            }
            Body::Response(r) => {
                w.open("Response", &[]);
                write_status(&mut w, &r.status);
                match &r.kind {
                    None => {}
                    Some(ResponseKind::ProfileResponse(p)) => write_profile_response(&mut w, p),
                    Some(ResponseKind::PunchOutSetupResponse(p)) => {
                        w.open("PunchOutSetupResponse", &[]);
                        w.open("StartPage", &[]);
                        w.leaf("URL", &[], &p.start_page);
                        w.close("StartPage");
                        w.close("PunchOutSetupResponse");
                    }
                }
                w.close("Response");
            }
            Body::Message(m) => {
                write_header(&mut w, &m.header);
                let mode = (m.deployment_mode == DeploymentMode::Test).then_some("test");
                w.open(
                    "Message",
                    &[
                        ("deploymentMode", mode),
                        ("inReplyTo", m.in_reply_to.as_deref()),
                    ],
                );
                if let Some(s) = &m.status {
                    write_status(&mut w, s);
                }
                write_poom(&mut w, &m.punch_out_order_message);
                w.close("Message");
            }
        }
        w.close("cXML");
        w.out.push('\n');
        match w.err {
            Some(reason) => Err(CxmlError::Write { reason }),
            None => Ok(w.out),
        }
    }
}

fn write_header(w: &mut W, h: &Header) {
    w.open("Header", &[]);
    for (name, creds) in [("From", &h.from), ("To", &h.to)] {
        w.open(name, &[]);
        w.need(creds, &format!("<{name}> credentials"));
        creds.iter().for_each(|c| write_credential(w, c));
        w.close(name);
    }
    w.open("Sender", &[]);
    w.need(&h.sender.credentials, "<Sender> credentials");
    h.sender
        .credentials
        .iter()
        .for_each(|c| write_credential(w, c));
    w.leaf("UserAgent", &[], &h.sender.user_agent);
    w.close("Sender");
    w.close("Header");
}

fn write_credential(w: &mut W, c: &Credential) {
    w.open(
        "Credential",
        &[
            ("domain", Some(&c.domain)),
            ("type", c.marketplace.then_some("marketplace")),
        ],
    );
    w.leaf("Identity", &[], &c.identity);
    w.opt_leaf("SharedSecret", c.shared_secret.as_deref());
    w.close("Credential");
}

fn write_status(w: &mut W, s: &Status) {
    let code = s.code.to_string();
    w.leaf(
        "Status",
        &[
            ("code", Some(&code)),
            ("text", Some(&s.text)),
            ("xml:lang", s.lang.as_deref()),
        ],
        &s.message,
    );
}

fn write_money(w: &mut W, m: &Money) {
    if m.currency.trim().is_empty() {
        w.fail("Money currency must not be empty");
    }
    w.leaf(
        "Money",
        &[("currency", Some(&m.currency))],
        &m.amount_string(),
    );
}

fn write_money_in(w: &mut W, wrapper: &str, m: &Money) {
    w.open(wrapper, &[]);
    write_money(w, m);
    w.close(wrapper);
}

fn write_extrinsics(w: &mut W, xs: &[Extrinsic]) {
    for x in xs {
        w.leaf("Extrinsic", &[("name", Some(&x.name))], &x.value);
    }
}

fn write_comments(w: &mut W, cs: &[Comments]) {
    for c in cs {
        w.indent();
        w.tag(
            "Comments",
            &[
                ("xml:lang", c.lang.as_deref()),
                ("type", c.comment_type.as_deref()),
            ],
        );
        w.out.push('>');
        w.escape(&c.text, false);
        for a in &c.attachments {
            w.out.push_str("<Attachment>");
            w.leaf_inline("URL", &[], a);
            w.out.push_str("</Attachment>");
        }
        w.out.push_str("</Comments>");
    }
}

fn write_description(w: &mut W, d: &Description) {
    w.indent();
    w.tag(
        "Description",
        &[
            ("xml:lang", Some(&d.lang)),
            ("type", d.description_type.as_deref()),
        ],
    );
    w.out.push('>');
    if let Some(s) = &d.short_name {
        w.leaf_inline("ShortName", &[], s);
    }
    w.escape(&d.text, false);
    w.out.push_str("</Description>");
}

fn write_charge(w: &mut W, name: &str, c: &Option<Charge>) {
    if let Some(c) = c {
        w.open(name, &[]);
        write_money(w, &c.money);
        write_description(w, &c.description);
        w.close(name);
    }
}

fn write_phone(w: &mut W, p: &Phone) {
    w.open("Phone", &[("name", p.name.as_deref())]);
    w.open("TelephoneNumber", &[]);
    w.leaf(
        "CountryCode",
        &[("isoCountryCode", Some(&p.iso_country_code))],
        &p.country_code,
    );
    w.leaf("AreaOrCityCode", &[], &p.area_or_city_code);
    w.leaf("Number", &[], &p.number);
    w.opt_leaf("Extension", p.extension.as_deref());
    w.close("TelephoneNumber");
    w.close("Phone");
}

fn write_postal(w: &mut W, p: &PostalAddress) {
    w.open("PostalAddress", &[("name", p.name.as_deref())]);
    p.deliver_to
        .iter()
        .for_each(|d| w.leaf("DeliverTo", &[], d));
    w.need(&p.streets, "PostalAddress streets");
    p.streets.iter().for_each(|s| w.leaf("Street", &[], s));
    w.leaf("City", &[], &p.city);
    w.opt_leaf("Municipality", p.municipality.as_deref());
    w.opt_leaf("State", p.state.as_deref());
    w.opt_leaf("PostalCode", p.postal_code.as_deref());
    w.leaf(
        "Country",
        &[("isoCountryCode", Some(&p.country_code))],
        &p.country_name,
    );
    w.close("PostalAddress");
}

fn write_name(w: &mut W, n: &LocalizedString) {
    w.leaf("Name", &[("xml:lang", Some(&n.lang))], &n.value);
}

fn write_address(w: &mut W, a: &Address) {
    w.open(
        "Address",
        &[
            ("isoCountryCode", a.iso_country_code.as_deref()),
            ("addressID", a.address_id.as_deref()),
        ],
    );
    write_name(w, &a.name);
    if let Some(p) = &a.postal_address {
        write_postal(w, p);
    }
    w.opt_leaf("Email", a.email.as_deref());
    if let Some(p) = &a.phone {
        write_phone(w, p);
    }
    w.opt_leaf("URL", a.url.as_deref());
    w.close("Address");
}

fn write_ship_to(w: &mut W, s: &Option<ShipTo>) {
    if let Some(s) = s {
        w.open("ShipTo", &[]);
        write_address(w, &s.address);
        w.close("ShipTo");
    }
}

fn write_contacts(w: &mut W, cs: &[Contact]) {
    for c in cs {
        if let Some(r) = &c.role {
            if !is_nmtoken(r) {
                w.fail(format!("Contact role {r:?} is not an XML NMTOKEN"));
            }
        }
        w.open("Contact", &[("role", c.role.as_deref())]);
        write_name(w, &c.name);
        c.postal_addresses.iter().for_each(|p| write_postal(w, p));
        c.emails.iter().for_each(|e| w.leaf("Email", &[], e));
        c.phones.iter().for_each(|p| write_phone(w, p));
        w.close("Contact");
    }
}

fn write_item_id(w: &mut W, id: &ItemId) {
    w.open("ItemID", &[]);
    w.leaf("SupplierPartID", &[], &id.supplier_part_id);
    w.opt_leaf(
        "SupplierPartAuxiliaryID",
        id.supplier_part_auxiliary_id.as_deref(),
    );
    w.opt_leaf("BuyerPartID", id.buyer_part_id.as_deref());
    w.close("ItemID");
}

fn write_item_detail(w: &mut W, d: &ItemDetail) {
    w.open("ItemDetail", &[]);
    write_money_in(w, "UnitPrice", &d.unit_price);
    w.need(&d.descriptions, "ItemDetail descriptions");
    d.descriptions.iter().for_each(|x| write_description(w, x));
    w.leaf("UnitOfMeasure", &[], &d.unit_of_measure);
    w.need(&d.classifications, "ItemDetail classifications");
    for c in &d.classifications {
        w.leaf(
            "Classification",
            &[("domain", Some(&c.domain)), ("code", c.code.as_deref())],
            &c.value,
        );
    }
    w.opt_leaf("ManufacturerPartID", d.manufacturer_part_id.as_deref());
    w.opt_leaf("ManufacturerName", d.manufacturer_name.as_deref());
    w.opt_leaf("URL", d.url.as_deref());
    w.opt_leaf("LeadTime", d.lead_time.map(|l| l.to_string()).as_deref());
    write_extrinsics(w, &d.extrinsics);
    w.close("ItemDetail");
}

fn write_item_out(w: &mut W, i: &ItemOut) {
    let q = i.quantity.to_string();
    let ln = i.line_number.map(|l| l.to_string());
    let rdd = ots(&i.requested_delivery_date);
    w.open(
        "ItemOut",
        &[
            ("quantity", Some(&q)),
            ("lineNumber", ln.as_deref()),
            ("requestedDeliveryDate", rdd.as_deref()),
        ],
    );
    write_item_id(w, &i.item_id);
    if let Some(d) = &i.item_detail {
        write_item_detail(w, d);
    }
    write_ship_to(w, &i.ship_to);
    write_comments(w, &i.comments);
    w.close("ItemOut");
}

fn write_url_in(w: &mut W, wrapper: &str, url: &Option<String>) {
    if let Some(u) = url {
        w.open(wrapper, &[]);
        w.leaf("URL", &[], u);
        w.close(wrapper);
    }
}

fn write_request(w: &mut W, k: &RequestKind) {
    match k {
        RequestKind::ProfileRequest(_) => w.empty("ProfileRequest", &[]),
        RequestKind::PunchOutSetupRequest(r) => {
            w.open(
                "PunchOutSetupRequest",
                &[("operation", Some(r.operation.as_str()))],
            );
            w.leaf("BuyerCookie", &[], &r.buyer_cookie);
            write_extrinsics(w, &r.extrinsics);
            write_url_in(w, "BrowserFormPost", &r.browser_form_post);
            write_contacts(w, &r.contacts);
            write_url_in(w, "SupplierSetup", &r.supplier_setup);
            write_ship_to(w, &r.ship_to);
            if let Some(id) = &r.selected_item {
                w.open("SelectedItem", &[]);
                write_item_id(w, id);
                w.close("SelectedItem");
            }
            r.items.iter().for_each(|i| write_item_out(w, i));
            w.close("PunchOutSetupRequest");
        }
        RequestKind::OrderRequest(o) => write_order_request(w, o),
        RequestKind::ConfirmationRequest(c) => write_confirmation(w, c),
        RequestKind::ShipNoticeRequest(s) => write_ship_notice(w, s),
        RequestKind::StatusUpdateRequest(s) => {
            w.open("StatusUpdateRequest", &[]);
            if let Some(d) = &s.document_reference {
                write_doc_ref(w, d);
            }
            write_status(w, &s.status);
            write_extrinsics(w, &s.extrinsics);
            w.close("StatusUpdateRequest");
        }
    }
}

fn write_options(w: &mut W, os: &[ProfileOption]) {
    for o in os {
        w.leaf("Option", &[("name", Some(&o.name))], &o.value);
    }
}

fn write_profile_response(w: &mut W, p: &ProfileResponse) {
    let eff = ts(&p.effective_date);
    let lr = ots(&p.last_refresh);
    w.open(
        "ProfileResponse",
        &[
            ("effectiveDate", Some(&eff)),
            ("lastRefresh", lr.as_deref()),
        ],
    );
    write_options(w, &p.options);
    w.need(&p.transactions, "ProfileResponse transactions");
    for t in &p.transactions {
        w.open("Transaction", &[("requestName", Some(&t.request_name))]);
        w.leaf("URL", &[], &t.url);
        write_options(w, &t.options);
        w.close("Transaction");
    }
    w.close("ProfileResponse");
}

fn write_poom(w: &mut W, p: &PunchOutOrderMessage) {
    w.open("PunchOutOrderMessage", &[]);
    w.leaf("BuyerCookie", &[], &p.buyer_cookie);
    w.open(
        "PunchOutOrderMessageHeader",
        &[(
            "operationAllowed",
            Some(p.header.operation_allowed.as_str()),
        )],
    );
    write_money_in(w, "Total", &p.header.total);
    write_ship_to(w, &p.header.ship_to);
    write_charge(w, "Shipping", &p.header.shipping);
    write_charge(w, "Tax", &p.header.tax);
    w.close("PunchOutOrderMessageHeader");
    for i in &p.items {
        let q = i.quantity.to_string();
        let ln = i.line_number.map(|l| l.to_string());
        w.open(
            "ItemIn",
            &[("quantity", Some(&q)), ("lineNumber", ln.as_deref())],
        );
        write_item_id(w, &i.item_id);
        write_item_detail(w, &i.item_detail);
        w.close("ItemIn");
    }
    w.close("PunchOutOrderMessage");
}

fn write_doc_ref(w: &mut W, d: &DocumentReference) {
    w.empty("DocumentReference", &[("payloadID", Some(&d.payload_id))]);
}

fn write_order_request(w: &mut W, o: &OrderRequest) {
    let h = &o.header;
    let date = ts(&h.order_date);
    w.open("OrderRequest", &[]);
    w.open(
        "OrderRequestHeader",
        &[
            ("orderID", Some(&h.order_id)),
            ("orderDate", Some(&date)),
            ("type", Some(h.order_type.as_str())),
            ("orderVersion", h.order_version.as_deref()),
        ],
    );
    write_money_in(w, "Total", &h.total);
    write_ship_to(w, &h.ship_to);
    w.open("BillTo", &[]);
    write_address(w, &h.bill_to.address);
    w.close("BillTo");
    write_charge(w, "Shipping", &h.shipping);
    write_charge(w, "Tax", &h.tax);
    write_contacts(w, &h.contacts);
    write_comments(w, &h.comments);
    if let Some(d) = &h.document_reference {
        write_doc_ref(w, d);
    }
    write_extrinsics(w, &h.extrinsics);
    w.close("OrderRequestHeader");
    w.need(&o.items, "OrderRequest items");
    o.items.iter().for_each(|i| write_item_out(w, i));
    w.close("OrderRequest");
}

fn write_order_reference(w: &mut W, r: &OrderReference) {
    let date = ots(&r.order_date);
    w.open(
        "OrderReference",
        &[
            ("orderID", r.order_id.as_deref()),
            ("orderDate", date.as_deref()),
        ],
    );
    write_doc_ref(w, &r.document_reference);
    w.close("OrderReference");
}

fn write_confirmation(w: &mut W, c: &ConfirmationRequest) {
    let h = &c.header;
    let nd = ts(&h.notice_date);
    w.open("ConfirmationRequest", &[]);
    w.open(
        "ConfirmationHeader",
        &[
            ("confirmID", h.confirm_id.as_deref()),
            ("operation", Some(h.operation.as_str())),
            ("type", Some(h.confirmation_type.as_str())),
            ("noticeDate", Some(&nd)),
        ],
    );
    if let Some(t) = &h.total {
        write_money_in(w, "Total", t);
    }
    write_comments(w, &h.comments);
    write_extrinsics(w, &h.extrinsics);
    w.close("ConfirmationHeader");
    write_order_reference(w, &c.order_reference);
    for i in &c.items {
        let q = i.quantity.to_string();
        let ln = i.line_number.to_string();
        w.open(
            "ConfirmationItem",
            &[("quantity", Some(&q)), ("lineNumber", Some(&ln))],
        );
        w.leaf("UnitOfMeasure", &[], &i.unit_of_measure);
        w.need(&i.statuses, "ConfirmationItem statuses");
        for s in &i.statuses {
            let q = s.quantity.to_string();
            let sd = ots(&s.shipment_date);
            let dd = ots(&s.delivery_date);
            w.open(
                "ConfirmationStatus",
                &[
                    ("quantity", Some(&q)),
                    ("type", Some(s.status_type.as_str())),
                    ("shipmentDate", sd.as_deref()),
                    ("deliveryDate", dd.as_deref()),
                ],
            );
            w.leaf("UnitOfMeasure", &[], &s.unit_of_measure);
            if let Some(p) = &s.unit_price {
                write_money_in(w, "UnitPrice", p);
            }
            write_comments(w, &s.comments);
            write_extrinsics(w, &s.extrinsics);
            w.close("ConfirmationStatus");
        }
        w.close("ConfirmationItem");
    }
    w.close("ConfirmationRequest");
}

fn write_ship_notice(w: &mut W, s: &ShipNoticeRequest) {
    let h = &s.header;
    let nd = ts(&h.notice_date);
    let sd = ots(&h.shipment_date);
    let dd = ots(&h.delivery_date);
    w.open("ShipNoticeRequest", &[]);
    w.open(
        "ShipNoticeHeader",
        &[
            ("shipmentID", Some(&h.shipment_id)),
            ("operation", Some(h.operation.as_str())),
            ("noticeDate", Some(&nd)),
            ("shipmentDate", sd.as_deref()),
            ("deliveryDate", dd.as_deref()),
        ],
    );
    write_comments(w, &h.comments);
    write_extrinsics(w, &h.extrinsics);
    w.close("ShipNoticeHeader");
    for c in &s.ship_controls {
        let sd = ots(&c.start_date);
        w.open("ShipControl", &[("startDate", sd.as_deref())]);
        w.need(&c.carriers, "ShipControl carriers");
        for ci in &c.carriers {
            w.leaf(
                "CarrierIdentifier",
                &[("domain", Some(&ci.domain))],
                &ci.value,
            );
        }
        w.need(&c.shipment_identifiers, "ShipControl shipment identifiers");
        for si in &c.shipment_identifiers {
            w.leaf(
                "ShipmentIdentifier",
                &[
                    ("domain", si.domain.as_deref()),
                    ("trackingURL", si.tracking_url.as_deref()),
                ],
                &si.value,
            );
        }
        w.close("ShipControl");
    }
    for p in &s.portions {
        w.open("ShipNoticePortion", &[]);
        write_order_reference(w, &p.order_reference);
        write_comments(w, &p.comments);
        write_extrinsics(w, &p.extrinsics);
        for i in &p.items {
            let q = i.quantity.to_string();
            let ln = i.line_number.to_string();
            w.open(
                "ShipNoticeItem",
                &[("quantity", Some(&q)), ("lineNumber", Some(&ln))],
            );
            if let Some(id) = &i.item_id {
                write_item_id(w, id);
            }
            w.leaf("UnitOfMeasure", &[], &i.unit_of_measure);
            for a in &i.assets {
                let attrs = [
                    ("tagNumber", a.tag_number.as_deref()),
                    ("serialNumber", a.serial_number.as_deref()),
                ];
                if a.extrinsics.is_empty() {
                    w.empty("AssetInfo", &attrs);
                } else {
                    w.open("AssetInfo", &attrs);
                    write_extrinsics(w, &a.extrinsics);
                    w.close("AssetInfo");
                }
            }
            write_comments(w, &i.comments);
            write_extrinsics(w, &i.extrinsics);
            w.close("ShipNoticeItem");
        }
        w.close("ShipNoticePortion");
    }
    w.close("ShipNoticeRequest");
}
