//! An account's own part numbers: kept by the provider's staff for the account's assigned
//! products, validated, the tenant's own, and matched for sure in orders by e-mail.

use crate::support::{full_demo_db, lines_of};
use simdesk_domain::testing::actor;
use simdesk_domain::{accounts, intake, orders, DomainError};
use simdesk_types::{FindingKind, InboundStatus};

const NORDWIND_AGENT: &str = "agent@nordwind.example";
const HAFEN_PURCHASER: &str = "purchaser@hafenlogistik.example";

fn field_of(result: Result<simdesk_types::AccountDetail, DomainError>) -> String {
    match result {
        Err(DomainError::Invalid(errors)) => errors[0].field.clone(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_buyers_part_number_names_the_product_in_an_order_email() {
    let t = full_demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let account_id = actor(&t, HAFEN_PURCHASER).await.account_id.unwrap();
    let detail = accounts::account(&t.db, &agent, account_id).await.unwrap();
    let chip = detail
        .products
        .iter()
        .find(|p| p.part_number == "NORDWIND-IOT-MFF2")
        .unwrap()
        .product_id;
    let saved = accounts::add_buyer_part(&t.db, &agent, account_id, " mat-0815 ", chip)
        .await
        .unwrap();
    assert_eq!(saved.buyer_parts.len(), 1);
    assert_eq!(saved.buyer_parts[0].buyer_part, "MAT-0815");
    assert!(saved.buyer_parts[0].product.contains("NORDWIND-IOT-MFF2"));

    let tenant = intake::tenant_of(&t.db, "nordwind").await.unwrap();
    let raw = format!(
        "From: {HAFEN_PURCHASER}\r\nSubject: Order\r\nMessage-ID: <sku-1@hafen.example>\r\n\r\n\
         Please send\r\n\r\n25 x MAT-0815\r\n"
    );
    let receipt = intake::receive(&t.db, tenant, raw.as_bytes())
        .await
        .unwrap();
    assert_eq!(receipt.status, InboundStatus::Draft);
    let po = orders::detail(&t.db, &agent, receipt.purchase_order_id.unwrap())
        .await
        .unwrap();
    let lines = lines_of(&po);
    assert_eq!(lines, vec![("NORDWIND-IOT-MFF2".to_owned(), 25)]);
    let email = intake::detail(&t.db, &agent, receipt.id).await.unwrap();
    assert_eq!(email.lines[0].confidence, 100);
    assert!(!email.findings.iter().any(|f| matches!(
        f.kind,
        FindingKind::UnknownProduct | FindingKind::UncertainMatch
    )));

    // Removing the product from the account removes its part numbers.
    let after = accounts::unassign_product(&t.db, &agent, account_id, chip)
        .await
        .unwrap();
    assert!(after.buyer_parts.is_empty());
}

#[tokio::test]
async fn buyer_part_numbers_are_validated_and_the_tenants_own() {
    let t = full_demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let account_id = actor(&t, HAFEN_PURCHASER).await.account_id.unwrap();
    let detail = accounts::account(&t.db, &agent, account_id).await.unwrap();
    let product = detail.products[0].product_id;

    for bad in ["", "  ", "MAT 0815", &"X".repeat(101)] {
        assert_eq!(
            field_of(accounts::add_buyer_part(&t.db, &agent, account_id, bad, product).await),
            "buyer_part",
            "{bad:?}"
        );
    }
    // A product of the tenant that is not assigned to the account, and one that is nobody's.
    assert_eq!(
        field_of(accounts::add_buyer_part(&t.db, &agent, account_id, "A-1", 999_999).await),
        "buyer_product_id"
    );
    let saved = accounts::add_buyer_part(&t.db, &agent, account_id, "A-1", product)
        .await
        .unwrap();
    assert_eq!(
        field_of(accounts::add_buyer_part(&t.db, &agent, account_id, "a-1", product).await),
        "buyer_part",
        "the same part number twice"
    );

    // Another tenant's agent, and the account's own users, can neither add nor remove.
    let foreign = actor(&t, "agent@alpina.example").await;
    assert!(matches!(
        accounts::add_buyer_part(&t.db, &foreign, account_id, "B-2", product).await,
        Err(DomainError::NotFound)
    ));
    let part_id = saved.buyer_parts[0].id;
    assert!(matches!(
        accounts::remove_buyer_part(&t.db, &foreign, account_id, part_id).await,
        Err(DomainError::NotFound)
    ));
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    assert!(matches!(
        accounts::add_buyer_part(&t.db, &purchaser, account_id, "B-2", product).await,
        Err(DomainError::Forbidden)
    ));
    // A part number id of this account under another account's id is not found either.
    let other_account = actor(&t, "purchaser@bergbahn.example")
        .await
        .account_id
        .unwrap();
    assert!(matches!(
        accounts::remove_buyer_part(&t.db, &agent, other_account, part_id).await,
        Err(DomainError::NotFound)
    ));
    let removed = accounts::remove_buyer_part(&t.db, &agent, account_id, part_id)
        .await
        .unwrap();
    assert!(removed.buyer_parts.is_empty());
}
