//! cXML and PunchOut over HTTP: status codes, the PunchOut session cookie and frame policy,
//! the self-submitting cart form, and the order that follows.

use crate::support::*;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, SET_COOKIE, X_FRAME_OPTIONS};
use reqwest::StatusCode;
use simdesk_domain::orders;
use simdesk_domain::punchout::{credentials, Answer};
use simdesk_domain::testing::cxml::*;
use simdesk_domain::Actor;
use simdesk_server::punchout_routes::PUNCHOUT_COOKIE;
use simdesk_server::HttpSettings;
use simdesk_types::PunchoutCredentialInput;

struct Procurement {
    server: TestServer,
    secret: String,
}

async fn actor_of(server: &TestServer, email: &str) -> Actor {
    Actor::load(&server.database.db, server.user_id(email).await)
        .await
        .unwrap()
        .unwrap()
}

/// A server where Hafenlogistik's procurement system has a credential, framed from
/// `https://buyer.example`.
async fn procurement() -> Procurement {
    let settings = HttpSettings::default();
    let key = settings.sealing_key.clone();
    let server = start_with(settings).await;
    let admin = actor_of(&server, "admin@nordwind.example").await;
    let purchaser = actor_of(&server, "purchaser@hafenlogistik.example").await;
    let saved = credentials::save(
        &server.database.db,
        &key,
        &admin,
        None,
        None,
        PunchoutCredentialInput {
            frame_ancestors: "https://buyer.example".into(),
            ..credential_input(purchaser.account_id.unwrap(), "NetworkID", BUYER_ID)
        },
    )
    .await
    .unwrap();
    Procurement {
        server,
        secret: saved.generated_secret.unwrap(),
    }
}

impl Procurement {
    async fn post(&self, tenant: &str, body: String) -> (StatusCode, String, Answer) {
        let response = self
            .server
            .client
            .post(self.server.url(&format!("/cxml/{tenant}")))
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let xml = response.text().await.unwrap();
        let code = match cxml::parse(xml.as_bytes()).expect("a cXML answer").body {
            cxml::Body::Response(r) => r.status.code,
            _ => panic!("expected a Response"),
        };
        (status, content_type, Answer { code, xml })
    }

    /// Sets up a PunchOut and opens its StartPage: the PunchOut cookie.
    async fn visit(&self) -> String {
        let (_, _, answer) = self
            .post(
                "nordwind",
                setup_request(&self.secret, "pat@hafenlogistik.example"),
            )
            .await;
        assert_eq!(answer.code, 200, "{}", answer.xml);
        let token = start_token(&answer);
        let response = self
            .server
            .get(&format!("/punchout/start/{token}"), None)
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/punchout");
        let cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(cookies.len(), 1, "only the PunchOut cookie: {cookies:?}");
        let cookie = &cookies[0];
        assert!(
            cookie.starts_with(&format!("{PUNCHOUT_COOKIE}=")),
            "{cookie}"
        );
        for attribute in [
            "SameSite=None",
            "Secure",
            "HttpOnly",
            "Path=/",
            "Partitioned",
        ] {
            assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
        }
        let again = self
            .server
            .get(&format!("/punchout/start/{token}"), None)
            .await;
        assert_eq!(again.status(), StatusCode::GONE, "a start link works once");
        cookie.split(';').next().unwrap().to_owned()
    }
}

#[tokio::test]
async fn the_cxml_endpoint_answers_with_cxml_status_codes() {
    let p = procurement().await;
    let profile = |secret: &str| {
        format!(
            r#"<cXML payloadID="p1" timestamp="2026-11-21T10:00:00Z">{}<Request><ProfileRequest/></Request></cXML>"#,
            header(BUYER_ID, secret)
        )
    };
    let (status, content_type, answer) = p.post("nordwind", profile(&p.secret)).await;
    assert_eq!((status, answer.code), (StatusCode::OK, 200));
    assert!(content_type.starts_with("text/xml"), "{content_type}");

    let (status, _, answer) = p.post("nordwind", profile("not-the-secret-at-all")).await;
    assert_eq!((status, answer.code), (StatusCode::UNAUTHORIZED, 401));
    assert!(!answer.xml.contains(&p.secret));

    let (status, _, answer) = p.post("nordwind", "<cXML><Broken".to_owned()).await;
    assert_eq!((status, answer.code), (StatusCode::BAD_REQUEST, 400));

    let confirmation = format!(
        r#"<cXML payloadID="c1" timestamp="2026-11-21T10:00:00Z">{}<Request><StatusUpdateRequest><Status code="200" text="OK"/></StatusUpdateRequest></Request></cXML>"#,
        header(BUYER_ID, &p.secret)
    );
    let (status, _, answer) = p.post("nordwind", confirmation).await;
    assert_eq!(
        (status, answer.code),
        (StatusCode::NOT_ACCEPTABLE, 406),
        "{}",
        answer.xml
    );

    let huge = format!("<cXML>{}</cXML>", " ".repeat(5 * 1024 * 1024));
    let (status, _, answer) = p.post("nordwind", huge).await;
    assert_eq!((status, answer.code), (StatusCode::PAYLOAD_TOO_LARGE, 413));
}

#[tokio::test]
async fn a_punchout_visit_lives_in_its_frame_and_returns_the_cart_by_form() {
    let p = procurement().await;
    let cookie = p.visit().await;

    // The visit's cookie means nothing on the portal's own pages, which stay unframeable.
    let portal = p.server.get("/orders", Some(&cookie)).await;
    assert!(portal.status().is_redirection(), "{}", portal.status());
    assert!(location(&portal).starts_with("/sign-in"));
    let sign_in = p.server.get("/sign-in", None).await;
    let policy = sign_in.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"));
    assert_eq!(sign_in.headers()[X_FRAME_OPTIONS], "DENY");

    let shop = p.server.get("/punchout", Some(&cookie)).await;
    assert_eq!(shop.status(), StatusCode::OK);
    let policy = shop.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("frame-ancestors https://buyer.example"),
        "{policy}"
    );
    // Without the empty comments that mark where a text's values begin and end.
    let page = shop.text().await.unwrap().replace("<!>", "");
    assert!(
        page.contains("SIM catalog for Hafenlogistik GmbH"),
        "{page}"
    );
    let cart = p
        .server
        .client
        .post(p.server.url("/punchout/api/cart"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        cart.status(),
        StatusCode::OK,
        "the page's server function sees the visit"
    );

    let purchaser = actor_of(&p.server, "purchaser@hafenlogistik.example").await;
    let form = orders::form_data(&p.server.database.db, &purchaser, None, None)
        .await
        .unwrap();
    let nano = form
        .products
        .iter()
        .find(|e| e.part_number.ends_with("-IOT-4FF"))
        .unwrap();
    let send = |path: &'static str, body: String, cookie: Option<String>| {
        let mut request = p
            .server
            .client
            .post(p.server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send()
    };
    let refused = send(
        "/punchout/transfer",
        format!("quantity_{}=10", nano.product_id),
        None,
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let invalid = send(
        "/punchout/transfer",
        format!("quantity_{}=ten", nano.product_id),
        Some(cookie.clone()),
    )
    .await
    .unwrap();
    assert_eq!(invalid.status(), StatusCode::SEE_OTHER);
    assert!(location(&invalid).starts_with("/punchout?error="));
    for damaged in ["override_price_plan=cheap", "override_tariff=1"] {
        let answer = send(
            "/punchout/transfer",
            format!("quantity_{}=10&{damaged}", nano.product_id),
            Some(cookie.clone()),
        )
        .await
        .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{damaged}");
        assert!(location(&answer).contains("damaged"), "{damaged}");
    }
    let not_entitled = send(
        "/punchout/transfer",
        format!("quantity_{}=10&override_price_plan=999999", nano.product_id),
        Some(cookie.clone()),
    )
    .await
    .unwrap();
    assert_eq!(not_entitled.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&not_entitled).contains("entitled"),
        "{}",
        location(&not_entitled)
    );

    let returned = send(
        "/punchout/transfer",
        format!(
            "quantity_{}=10&override_price_plan=&override_apn_group=",
            nano.product_id
        ),
        Some(cookie.clone()),
    )
    .await
    .unwrap();
    assert_eq!(returned.status(), StatusCode::OK);
    let policy = returned.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("form-action 'self' https://buyer.example"),
        "{policy}"
    );
    assert!(
        policy.contains("frame-ancestors https://buyer.example"),
        "{policy}"
    );
    assert!(returned.headers().get(X_FRAME_OPTIONS).is_none());
    let page = returned.text().await.unwrap();
    assert!(
        page.contains(r#"action="https://buyer.example/cart""#),
        "{page}"
    );
    assert!(page.contains(r#"name="cxml-urlencoded""#));
    let value = page
        .split(r#"name="cxml-urlencoded" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let message = cxml::parse(value.as_bytes()).expect("the posted cart is cXML");
    let cxml::Body::Message(m) = message.body else {
        panic!("expected a PunchOutOrderMessage")
    };
    let item = &m.punch_out_order_message.items[0];

    let twice = send("/punchout/cancel", String::new(), Some(cookie))
        .await
        .unwrap();
    assert_eq!(
        twice.status(),
        StatusCode::CONFLICT,
        "a visit returns one cart"
    );

    let order = order_request(
        &p.secret,
        "http-order-1",
        "HTTP-1",
        "new",
        &[(
            &item.item_id.supplier_part_id,
            10,
            &item.item_detail.unit_price.amount_string(),
            item.item_id.supplier_part_auxiliary_id.as_deref(),
        )],
    );
    let (status, _, first) = p.post("nordwind", order.clone()).await;
    assert_eq!((status, first.code), (StatusCode::OK, 200), "{}", first.xml);
    let (_, _, again) = p.post("nordwind", order).await;
    assert_eq!(again, first);
}

#[tokio::test]
async fn sap_oci_enters_by_form_post_from_its_own_origin() {
    let settings = HttpSettings::default();
    let key = settings.sealing_key.clone();
    let server = start_with(settings).await;
    let admin = actor_of(&server, "admin@nordwind.example").await;
    let purchaser = actor_of(&server, "purchaser@hafenlogistik.example").await;
    let password = credentials::save(
        &server.database.db,
        &key,
        &admin,
        None,
        None,
        credential_input(purchaser.account_id.unwrap(), "OCI", "SAP-SRM"),
    )
    .await
    .unwrap()
    .generated_secret
    .unwrap();
    let form = |password: &str, extra: &str| {
        format!(
            "USERNAME=SAP-SRM&PASSWORD={}&HOOK_URL={}&~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG{extra}",
            urlencode(password),
            urlencode("https://srm.example/hook")
        )
    };
    let post = |body: String| {
        server
            .client
            .post(server.url("/punchout/oci/nordwind"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://srm.example")
            .body(body)
            .send()
    };
    let refused = post(form(
        "not-the-password-at-all",
        "&USER_EMAIL=a%40hafenlogistik.example",
    ))
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Catalog login refused"));
    // A buyer whose browser prefers German is told in German.
    let refused_german = server
        .client
        .post(server.url("/punchout/oci/nordwind"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://srm.example")
        .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
        .body(form("not-the-password-at-all", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(refused_german.status(), StatusCode::UNAUTHORIZED);
    let page = refused_german.text().await.unwrap();
    assert!(page.contains(r#"<html lang="de">"#), "{page}");
    assert!(page.contains("Katalog-Anmeldung abgelehnt"), "{page}");

    let entered = post(form(
        &password,
        "&USER_EMAIL=sap.user%40hafenlogistik.example",
    ))
    .await
    .unwrap();
    assert_eq!(entered.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&entered), "/punchout");
    let cookie = entered.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with(PUNCHOUT_COOKIE) && cookie.contains("Partitioned"),
        "{cookie}"
    );

    let product = "&FUNCTION=VALIDATE&PRODUCTID=NORDWIND-IOT-4FF&QUANTITY=20";
    let validated = server
        .client
        .get(server.url(&format!(
            "/punchout/oci/nordwind?{}",
            form(&password, product)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), StatusCode::OK);
    let policy = validated.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("form-action 'self' https://srm.example"),
        "{policy}"
    );
    let page = validated.text().await.unwrap();
    assert!(
        page.contains(r#"action="https://srm.example/hook" target="_top""#),
        "{page}"
    );
    assert!(
        page.contains(r#"name="NEW_ITEM-QUANTITY[1]" value="20""#),
        "{page}"
    );
    assert!(page.contains(r#"name="~OkCode" value="ADDI""#));
}
