//! cXML documents as procurement systems send them, and readers for simdesk's answers, for
//! the service and HTTP tests.

use crate::punchout::Answer;

/// The buyer identity the tests' credential is for.
pub const BUYER_ID: &str = "AN01000000042";

/// A request header from `identity` with its shared secret.
pub fn header(identity: &str, secret: &str) -> String {
    format!(
        r#"<Header><From><Credential domain="NetworkId"><Identity>{identity}</Identity></Credential></From>
<To><Credential domain="DUNS"><Identity>nordwind</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>{identity}</Identity><SharedSecret>{secret}</SharedSecret></Credential><UserAgent>Buyer 1.0</UserAgent></Sender></Header>"#
    )
}

/// A PunchOutSetupRequest (create) for the procurement user `email`, returning the cart to
/// `https://buyer.example/cart`.
pub fn setup_request(secret: &str, email: &str) -> String {
    setup_request_to(secret, email, "https://buyer.example/cart")
}

/// A PunchOutSetupRequest (create) returning the cart to `form_post`.
pub fn setup_request_to(secret: &str, email: &str, form_post: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><cXML payloadID="setup-{email}" timestamp="2026-11-21T10:00:00-05:00">{}
<Request><PunchOutSetupRequest operation="create"><BuyerCookie> cookie-1 </BuyerCookie>
<Extrinsic name="UserEmail">{email}</Extrinsic><Extrinsic name="UserPrintableName">Pat Procurement</Extrinsic>
<BrowserFormPost><URL> {form_post} </URL></BrowserFormPost></PunchOutSetupRequest></Request></cXML>"#,
        header(BUYER_ID, secret)
    )
}

/// A PunchOutSetupRequest (edit) of a returned cart: one ItemOut per `(part, quantity,
/// auxiliary id)`, as the procurement system kept them.
pub fn edit_request(secret: &str, email: &str, items: &[(&str, u32, &str)]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(i, (part, quantity, aux))| {
            format!(
                r#"<ItemOut quantity="{quantity}" lineNumber="{}"><ItemID><SupplierPartID>{part}</SupplierPartID><SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID></ItemID></ItemOut>"#,
                i + 1
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><cXML payloadID="edit-{email}" timestamp="2026-11-21T11:00:00Z">{}
<Request><PunchOutSetupRequest operation="edit"><BuyerCookie>cookie-2</BuyerCookie>
<Extrinsic name="UserEmail">{email}</Extrinsic>
<BrowserFormPost><URL>https://buyer.example/cart</URL></BrowserFormPost>{items}</PunchOutSetupRequest></Request></cXML>"#,
        header(BUYER_ID, secret)
    )
}

/// An OrderRequest with one line per `(part, quantity, price, auxiliary id)`.
pub fn order_request(
    secret: &str,
    payload: &str,
    order_id: &str,
    kind: &str,
    lines: &[(&str, u32, &str, Option<&str>)],
) -> String {
    let items: String = lines
        .iter()
        .enumerate()
        .map(|(i, (part, quantity, price, aux))| {
            let aux = aux
                .map(|a| format!("<SupplierPartAuxiliaryID>{a}</SupplierPartAuxiliaryID>"))
                .unwrap_or_default();
            format!(
                r#"<ItemOut quantity="{quantity}" lineNumber="{}"><ItemID><SupplierPartID>{part}</SupplierPartID>{aux}</ItemID>
<ItemDetail><UnitPrice><Money currency="EUR">{price}</Money></UnitPrice><Description xml:lang="en">SIM</Description>
<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">43191500</Classification></ItemDetail></ItemOut>"#,
                i + 1
            )
        })
        .collect();
    let reference = if kind == "new" {
        String::new()
    } else {
        r#"<DocumentReference payloadID="order-1"/>"#.to_owned()
    };
    format!(
        r#"<cXML payloadID="{payload}" timestamp="2026-11-21 10:00:00">{}
<Request><OrderRequest><OrderRequestHeader orderID="{order_id}" orderDate="2026-11-21T10:00:00Z" type="{kind}">
<Total><Money currency="EUR">1.00</Money></Total>
<BillTo><Address><Name xml:lang="en">Hafenlogistik</Name></Address></BillTo>{reference}
<Contact role="endUser"><Name xml:lang="en">Pat</Name><Email>pat@hafenlogistik.example</Email></Contact>
</OrderRequestHeader>{items}</OrderRequest></Request></cXML>"#,
        header(BUYER_ID, secret)
    )
}

/// The status code of an answer, checked against the document's own Status.
pub fn code_of(answer: &Answer) -> u32 {
    let document = cxml::parse(answer.xml.as_bytes()).expect("answers are cXML");
    match document.body {
        cxml::Body::Response(r) => {
            assert_eq!(r.status.code, answer.code);
            r.status.code
        }
        other => panic!("expected a Response, got {other:?}"),
    }
}

/// The Status text and message of an answer.
pub fn status_message(answer: &Answer) -> String {
    match cxml::parse(answer.xml.as_bytes()).unwrap().body {
        cxml::Body::Response(r) => format!("{} {}", r.status.text, r.status.message),
        _ => String::new(),
    }
}

/// The one-time token of a PunchOutSetupResponse's StartPage.
pub fn start_token(answer: &Answer) -> String {
    let document = cxml::parse(answer.xml.as_bytes()).unwrap();
    let cxml::Body::Response(response) = document.body else {
        panic!("expected a response")
    };
    let Some(cxml::ResponseKind::PunchOutSetupResponse(setup)) = response.kind else {
        panic!("expected a PunchOutSetupResponse: {}", answer.xml)
    };
    let token = setup
        .start_page
        .rsplit_once("/punchout/start/")
        .expect("the StartPage is on the portal")
        .1;
    token.to_owned()
}

/// A credential form for a production, enabled credential; tests change what they need.
pub fn credential_input(
    account_id: i64,
    domain: &str,
    identity: &str,
) -> simdesk_types::PunchoutCredentialInput {
    simdesk_types::PunchoutCredentialInput {
        account_id,
        deployment_mode: "production".into(),
        domain: domain.into(),
        identity: identity.into(),
        enabled: true,
        ..Default::default()
    }
}

/// The address the tests' portal is reached at.
pub const PORTAL_URL: &str = "https://portal.example";

/// A tenant's cXML setup for the tests: the sealing key and Hafenlogistik's credential.
pub struct Buyer {
    pub key: crate::secret::SecretKey,
    pub secret: String,
    pub account_id: i64,
}

/// Nordwind's credential for Hafenlogistik's procurement system, sending no confirmations.
pub async fn hafen_buyer(t: &super::TestDatabase) -> Buyer {
    hafen_buyer_answered_at(t, "").await
}

/// Nordwind's credential for Hafenlogistik's procurement system, with order confirmations going
/// to `order_response_url` (none when empty).
pub async fn hafen_buyer_answered_at(t: &super::TestDatabase, order_response_url: &str) -> Buyer {
    let admin = super::actor(t, "admin@nordwind.example").await;
    let purchaser = super::actor(t, "purchaser@hafenlogistik.example").await;
    let account_id = purchaser.account_id.expect("account user");
    let key = crate::secret::SecretKey::generate();
    let saved = crate::punchout::credentials::save(
        &t.db,
        &key,
        &admin,
        None,
        None,
        simdesk_types::PunchoutCredentialInput {
            frame_ancestors: "https://buyer.example".into(),
            order_response_url: order_response_url.into(),
            ..credential_input(account_id, "NetworkID", BUYER_ID)
        },
    )
    .await
    .expect("save credential");
    Buyer {
        key,
        secret: saved.generated_secret.expect("a generated secret"),
        account_id,
    }
}

/// Posts a cXML document to `tenant`'s endpoint, as the HTTP route would.
pub async fn post(t: &super::TestDatabase, buyer: &Buyer, tenant: &str, body: &str) -> Answer {
    let endpoint = crate::punchout::Endpoint {
        key: &buyer.key,
        tenant_slug: tenant,
        base_url: PORTAL_URL,
    };
    crate::punchout::handle(&t.db, &endpoint, body.as_bytes()).await
}
