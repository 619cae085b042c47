use crate::catalog::sim;
use crate::support::*;
use simdesk_domain::accounts::{self, AccountQuery, AccountSort};
use simdesk_domain::{catalog, DomainError};
use simdesk_types::{
    AccountInput, Entitlements, OptionKind, ProductStatus, ShippingAddressInput, SortOrder,
};

pub fn company(number: &str) -> AccountInput {
    AccountInput {
        name: format!("Company {number}"),
        customer_number: number.into(),
        vat_id: "de123456789".into(),
        billing_name: "Accounts Payable".into(),
        billing_street: "Hafenstraße 1".into(),
        billing_postal_code: "20457".into(),
        billing_city: "Hamburg".into(),
        billing_country: "de".into(),
        ..AccountInput::default()
    }
}

fn address() -> ShippingAddressInput {
    ShippingAddressInput {
        label: "Warehouse".into(),
        recipient: "Goods In".into(),
        street: "Kai 7".into(),
        postal_code: "20457".into(),
        city: "Hamburg".into(),
        country: "DE".into(),
    }
}

fn fields<T: std::fmt::Debug>(result: Result<T, DomainError>) -> Vec<String> {
    match result {
        Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// One option of every kind in the actor's tenant, as defaults.
async fn options(
    t: &simdesk_domain::testing::TestDatabase,
    admin: &simdesk_domain::Actor,
) -> Entitlements {
    let mut defaults = Entitlements::default();
    for kind in OptionKind::ALL {
        let option = catalog::create_option(
            &t.db,
            admin,
            kind.as_str(),
            "STD",
            &format!("Standard {}", kind.label()),
            "",
        )
        .await
        .unwrap();
        defaults.set(*kind, Some(option.id));
    }
    defaults
}

#[tokio::test]
async fn an_agent_onboards_an_account_through_the_checklist() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let defaults = options(&t, &admin).await;
    let product = catalog::create_product(&t.db, &admin, sim("NW-1", "4.90"))
        .await
        .unwrap();

    let created = accounts::create(&t.db, &agent, company("C-100"))
        .await
        .unwrap();
    assert_eq!(created.data.customer_number, "C-100");
    assert_eq!(created.data.billing_country, "DE");
    let open: Vec<&str> = created
        .checklist
        .iter()
        .filter(|i| !i.done)
        .map(|i| i.key.as_str())
        .collect();
    assert_eq!(open, ["shipping_address", "defaults", "products", "admin"]);
    assert!(!created.ready_to_order());

    let with_address = accounts::add_shipping_address(&t.db, &agent, created.id, address(), false)
        .await
        .unwrap();
    assert!(
        with_address.addresses[0].is_default,
        "the first address becomes the default"
    );
    let allowed = vec![
        defaults.price_plan.unwrap(),
        defaults.roaming_profile.unwrap(),
    ];
    let entitled = accounts::set_entitlements(
        &t.db,
        &agent,
        created.id,
        with_address.version,
        defaults.clone(),
        allowed.clone(),
    )
    .await
    .unwrap();
    assert_eq!(entitled.defaults, defaults);
    let mut sorted = allowed.clone();
    sorted.sort();
    assert_eq!(entitled.entitlements, sorted);

    let assigned = accounts::assign_product(&t.db, &agent, created.id, product.id, "3.95")
        .await
        .unwrap();
    assert_eq!(assigned.products[0].contract_price.display, "3.95 EUR");
    assert_eq!(assigned.products[0].list_price.display, "4.90 EUR");
    let repriced = accounts::assign_product(&t.db, &agent, created.id, product.id, "")
        .await
        .unwrap();
    assert_eq!(repriced.products.len(), 1);
    assert_eq!(
        repriced.products[0].contract_price.minor, 490,
        "no price means the list price"
    );

    let ready = accounts::invite_admin(
        &t.db,
        &agent,
        created.id,
        "it@c100.example",
        "Ida IT",
        "initial password 1",
    )
    .await
    .unwrap();
    assert_eq!(ready.admins.len(), 1);
    assert!(ready.ready_to_order(), "{:?}", ready.checklist);

    // The invited admin manages exactly this account and must choose a password first.
    let invited = password_sign_in(&t, "it@c100.example", "initial password 1")
        .await
        .unwrap();
    assert_eq!(invited.account_id, Some(created.id));
    assert!(invited.must_change_password);
}

#[tokio::test]
async fn account_data_is_validated_precisely() {
    let t = demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let first = accounts::create(&t.db, &agent, company("C-1"))
        .await
        .unwrap();
    assert_eq!(
        fields(accounts::create(&t.db, &agent, company("c-1")).await),
        ["customer_number"]
    );
    let bad = AccountInput {
        name: "".into(),
        customer_number: "has space".into(),
        billing_country: "Germany".into(),
        status: "closed".into(),
        parent_account_id: Some(987_654),
        ..AccountInput::default()
    };
    let mut found = fields(accounts::create(&t.db, &agent, bad).await);
    found.sort();
    assert_eq!(
        found,
        [
            "billing_country",
            "customer_number",
            "name",
            "parent_account_id",
            "status"
        ]
    );

    // A child may not become its parent's parent.
    let child = accounts::create(
        &t.db,
        &agent,
        AccountInput {
            parent_account_id: Some(first.id),
            ..company("C-2")
        },
    )
    .await
    .unwrap();
    assert_eq!(child.parent_name.as_deref(), Some("Company C-1"));
    let looped = accounts::update(
        &t.db,
        &agent,
        first.id,
        first.version,
        AccountInput {
            parent_account_id: Some(child.id),
            ..company("C-1")
        },
    )
    .await;
    assert_eq!(fields(looped), ["parent_account_id"]);
    let own = accounts::update(
        &t.db,
        &agent,
        first.id,
        first.version,
        AccountInput {
            parent_account_id: Some(first.id),
            ..company("C-1")
        },
    )
    .await;
    assert_eq!(fields(own), ["parent_account_id"]);

    let no_street = ShippingAddressInput {
        street: " ".into(),
        country: "XYZ".into(),
        ..address()
    };
    let mut found =
        fields(accounts::add_shipping_address(&t.db, &agent, first.id, no_street, false).await);
    found.sort();
    assert_eq!(found, ["country", "street"]);
    assert_eq!(
        fields(
            accounts::assign_product(&t.db, &agent, first.id, create_product(&t).await, "-1").await
        ),
        ["contract_price"]
    );
}

async fn create_product(t: &simdesk_domain::testing::TestDatabase) -> i64 {
    let admin = actor(t, NORDWIND_ADMIN).await;
    catalog::create_product(&t.db, &admin, sim("NW-VAL", "1.00"))
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn two_agents_editing_one_account_cannot_both_win() {
    let t = demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let created = accounts::create(&t.db, &agent, company("C-9"))
        .await
        .unwrap();
    let edits = [("First", &agent), ("Second", &admin)].map(|(name, who)| {
        accounts::update(
            &t.db,
            who,
            created.id,
            created.version,
            AccountInput {
                name: name.into(),
                ..company("C-9")
            },
        )
    });
    let results = futures::future::join_all(edits).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .any(|r| matches!(r, Err(DomainError::Conflict(_)))));
}

#[tokio::test]
async fn purchasers_see_exactly_their_assigned_products_at_contract_prices() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let hafen_admin = actor(&t, HAFEN_ADMIN).await;
    let hafen = hafen_admin.account_id.unwrap();
    let p1 = catalog::create_product(&t.db, &admin, sim("NW-A", "5.00"))
        .await
        .unwrap();
    let p2 = catalog::create_product(&t.db, &admin, sim("NW-B", "6.00"))
        .await
        .unwrap();
    let p3 = catalog::create_product(&t.db, &admin, sim("NW-C", "7.00"))
        .await
        .unwrap();
    let _unassigned = catalog::create_product(&t.db, &admin, sim("NW-D", "8.00"))
        .await
        .unwrap();
    for (product, price) in [(&p1, "4.50"), (&p2, ""), (&p3, "6.50")] {
        accounts::assign_product(&t.db, &agent, hafen, product.id, price)
            .await
            .unwrap();
    }
    catalog::set_product_status(&t.db, &admin, p3.id, p3.version, ProductStatus::Retired)
        .await
        .unwrap();

    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let seen = accounts::catalog(&t.db, &purchaser).await.unwrap();
    let listed: Vec<(&str, &str)> = seen
        .entries
        .iter()
        .map(|e| (e.part_number.as_str(), e.price.display.as_str()))
        .collect();
    assert_eq!(listed, [("NW-A", "4.50 EUR"), ("NW-B", "6.00 EUR")]);
    assert!(!seen.can_restrict);
    assert_eq!(seen.defaults.len(), 5);

    // The account admin hides one product from the account's users.
    let restricted = accounts::set_orderable_by_users(&t.db, &hafen_admin, p2.id, false)
        .await
        .unwrap();
    assert_eq!(restricted.entries.len(), 2, "the admin still sees it");
    let seen = accounts::catalog(&t.db, &purchaser).await.unwrap();
    assert_eq!(
        seen.entries
            .iter()
            .map(|e| e.part_number.as_str())
            .collect::<Vec<_>>(),
        ["NW-A"]
    );
    assert!(matches!(
        accounts::set_orderable_by_users(&t.db, &purchaser, p1.id, false).await,
        Err(DomainError::Forbidden)
    ));

    // Another account of the same tenant sees none of it.
    let bergbahn = actor(&t, BERGBAHN_VIEWER).await;
    assert!(accounts::catalog(&t.db, &bergbahn)
        .await
        .unwrap()
        .entries
        .is_empty());
}

#[tokio::test]
async fn nobody_reaches_another_tenants_or_accounts_onboarding() {
    let t = demo_db().await;
    let alpina_agent = actor(&t, ALPINA_AGENT).await;
    let alpina_admin = actor(&t, ALPINA_ADMIN).await;
    let nordwind_agent = actor(&t, NORDWIND_AGENT).await;
    let lakeside = actor(&t, LAKESIDE_PURCHASER).await.account_id.unwrap();
    let nordwind_account = accounts::create(&t.db, &nordwind_agent, company("N-1"))
        .await
        .unwrap();
    let alpina_product = catalog::create_product(&t.db, &alpina_admin, sim("ALP-1", "2"))
        .await
        .unwrap();
    let nordwind_admin = actor(&t, NORDWIND_ADMIN).await;
    let nordwind_product = catalog::create_product(&t.db, &nordwind_admin, sim("NW-1", "2"))
        .await
        .unwrap();

    // Alpina's agent, with Nordwind's ids.
    let id = nordwind_account.id;
    assert!(matches!(
        accounts::account(&t.db, &alpina_agent, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        accounts::update(&t.db, &alpina_agent, id, 1, company("X")).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        accounts::add_shipping_address(&t.db, &alpina_agent, id, address(), true).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        accounts::assign_product(&t.db, &alpina_agent, id, alpina_product.id, "").await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        accounts::invite_admin(
            &t.db,
            &alpina_agent,
            id,
            "x@x.example",
            "X",
            "initial password 1"
        )
        .await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        accounts::set_entitlements(&t.db, &alpina_agent, id, 1, Entitlements::default(), vec![])
            .await,
        Err(DomainError::NotFound)
    ));
    let listed = accounts::list(
        &t.db,
        &alpina_agent,
        AccountQuery {
            limit: 100,
            ..AccountQuery::default()
        },
    )
    .await
    .unwrap();
    assert!(listed.rows.iter().all(|a| a.id != id));
    assert!(!accounts::export_csv(&t.db, &alpina_agent)
        .await
        .unwrap()
        .contains("N-1"));

    // Nordwind's agent cannot put Alpina's product or options on a Nordwind account, nor touch Lakeside.
    assert!(matches!(
        accounts::assign_product(&t.db, &nordwind_agent, id, alpina_product.id, "").await,
        Err(DomainError::NotFound)
    ));
    let foreign_option = catalog::create_option(&t.db, &alpina_admin, "apn_group", "A", "A", "")
        .await
        .unwrap();
    let foreign = accounts::set_entitlements(
        &t.db,
        &nordwind_agent,
        id,
        nordwind_account.version,
        Entitlements {
            apn_group: Some(foreign_option.id),
            ..Entitlements::default()
        },
        vec![foreign_option.id],
    )
    .await;
    assert_eq!(fields(foreign), ["default_apn_group", "entitlements"]);
    assert!(matches!(
        accounts::account(&t.db, &nordwind_agent, lakeside).await,
        Err(DomainError::NotFound)
    ));

    // Account users reach no onboarding function, and no other account's products.
    for email in [HAFEN_ADMIN, HAFEN_PURCHASER, BERGBAHN_VIEWER] {
        let user = actor(&t, email).await;
        assert!(
            matches!(
                accounts::account(&t.db, &user, id).await,
                Err(DomainError::Forbidden)
            ),
            "{email}"
        );
        assert!(
            matches!(
                accounts::create(&t.db, &user, company("Z")).await,
                Err(DomainError::Forbidden)
            ),
            "{email}"
        );
    }
    let hafen_admin = actor(&t, HAFEN_ADMIN).await;
    assert!(matches!(
        accounts::set_orderable_by_users(&t.db, &hafen_admin, nordwind_product.id, false).await,
        Err(DomainError::NotFound)
    ));
    // Staff have no enterprise catalog of their own.
    assert!(matches!(
        accounts::catalog(&t.db, &nordwind_agent).await,
        Err(DomainError::Forbidden)
    ));
}

#[tokio::test]
async fn the_account_list_pages_and_searches() {
    let t = demo_db().await;
    let agent = actor(&t, ALPINA_AGENT).await;
    for i in 0..12 {
        accounts::create(
            &t.db,
            &agent,
            AccountInput {
                name: format!("Fleet {:02}", 12 - i),
                ..company(&format!("F-{i:02}"))
            },
        )
        .await
        .unwrap();
    }
    for sort in [AccountSort::Name, AccountSort::CustomerNumber] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = accounts::list(
                &t.db,
                &agent,
                AccountQuery {
                    sort,
                    order: SortOrder::Descending,
                    after: after.clone(),
                    limit: 5,
                    ..AccountQuery::default()
                },
            )
            .await
            .unwrap();
            seen.extend(page.rows.into_iter().map(|a| {
                if sort == AccountSort::Name {
                    a.name
                } else {
                    a.customer_number
                }
            }));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 14, "12 new and 2 demo accounts");
        let mut expected = seen.clone();
        expected.sort();
        expected.reverse();
        assert_eq!(seen, expected, "{sort:?}");
    }
    let found = accounts::list(
        &t.db,
        &agent,
        AccountQuery {
            search: "fleet 1".into(),
            limit: 50,
            ..AccountQuery::default()
        },
    )
    .await
    .unwrap();
    let names: Vec<&str> = found.rows.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Fleet 10", "Fleet 11", "Fleet 12"]);
}
