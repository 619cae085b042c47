use crate::support::*;
use simdesk_domain::catalog::{self, ProductQuery, ProductSort};
use simdesk_domain::DomainError;
use simdesk_types::{OptionKind, ProductInput, ProductStatus, SortOrder, TenantSettings};

pub fn sim(part_number: &str, price: &str) -> ProductInput {
    ProductInput {
        part_number: part_number.into(),
        name: format!("IoT SIM {part_number}"),
        description: "Industrial temperature range".into(),
        sim_type: "plastic".into(),
        form_factor: "4FF".into(),
        features: "LTE-M, NB-IoT".into(),
        branding: "Nordwind".into(),
        unit_price: price.into(),
        currency: "EUR".into(),
        unspsc: "43191501".into(),
        unit_of_measure: "EA".into(),
        min_order_quantity: "10".into(),
        max_order_quantity: "5000".into(),
        order_increment: "10".into(),
        ..ProductInput::default()
    }
}

fn fields(result: Result<impl std::fmt::Debug, DomainError>) -> Vec<String> {
    match result {
        Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_tenant_admin_builds_a_catalog() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let plan = catalog::create_option(
        &t.db,
        &admin,
        "price_plan",
        "iot-s",
        "IoT Small",
        "1 GB pooled",
    )
    .await
    .unwrap();
    assert_eq!(plan.code, "IOT-S");
    let active = catalog::create_option(&t.db, &admin, "billing_status", "ACTIVE", "Active", "")
        .await
        .unwrap();
    let mut input = sim("NW-4FF-01", "4.90");
    input.default_price_plan = Some(plan.id);
    input.initial_billing_status = Some(active.id);
    let product = catalog::create_product(&t.db, &admin, input).await.unwrap();
    assert_eq!(product.price.minor, 490);
    assert_eq!(product.price.display, "4.90 EUR");
    assert_eq!(product.defaults.price_plan, Some(plan.id));
    assert_eq!(product.status, ProductStatus::Active);

    // The agent reads the catalog but cannot change it.
    let agent = actor(&t, NORDWIND_AGENT).await;
    assert_eq!(
        catalog::product(&t.db, &agent, product.id)
            .await
            .unwrap()
            .part_number,
        "NW-4FF-01"
    );
    assert!(matches!(
        catalog::create_product(&t.db, &agent, sim("NW-X", "1")).await,
        Err(DomainError::Forbidden)
    ));
    assert_eq!(
        catalog::options(&t.db, &agent, Some(OptionKind::PricePlan))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn product_validation_names_every_bad_field() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let bad = ProductInput {
        part_number: "has space".into(),
        name: " ".into(),
        sim_type: "floppy".into(),
        form_factor: "5FF".into(),
        unit_price: "0".into(),
        currency: "EUR".into(),
        unspsc: "4319150".into(),
        min_order_quantity: "100".into(),
        max_order_quantity: "10".into(),
        order_increment: "0".into(),
        ..ProductInput::default()
    };
    let mut found = fields(catalog::create_product(&t.db, &admin, bad).await);
    found.sort();
    assert_eq!(
        found,
        [
            "form_factor",
            "max_order_quantity",
            "name",
            "order_increment",
            "part_number",
            "sim_type",
            "unit_price",
            "unspsc"
        ]
    );
    let mut euro = sim("NW-1", "1.00");
    euro.currency = "EURO".into();
    assert_eq!(
        fields(catalog::create_product(&t.db, &admin, euro).await),
        ["currency"]
    );
    let mut cents = sim("NW-1", "1.005");
    cents.currency = "EUR".into();
    assert_eq!(
        fields(catalog::create_product(&t.db, &admin, cents).await),
        ["unit_price"]
    );
    let mut negative = sim("NW-1", "-3");
    negative.currency = "EUR".into();
    assert_eq!(
        fields(catalog::create_product(&t.db, &admin, negative).await),
        ["unit_price"]
    );
}

#[tokio::test]
async fn part_numbers_are_unique_per_tenant_only() {
    let t = demo_db().await;
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    let alpina = actor(&t, ALPINA_ADMIN).await;
    catalog::create_product(&t.db, &nordwind, sim("SIM-1", "2"))
        .await
        .unwrap();
    assert_eq!(
        fields(catalog::create_product(&t.db, &nordwind, sim("sim-1", "3")).await),
        ["part_number"]
    );
    // Another tenant may use the same part number.
    catalog::create_product(&t.db, &alpina, sim("SIM-1", "2"))
        .await
        .unwrap();
    catalog::create_option(&t.db, &nordwind, "apn_group", "IOT", "IoT", "")
        .await
        .unwrap();
    assert_eq!(
        fields(catalog::create_option(&t.db, &nordwind, "apn_group", "iot", "Again", "").await),
        ["code"]
    );
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_not_an_overwrite() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let created = catalog::create_product(&t.db, &admin, sim("SIM-2", "2"))
        .await
        .unwrap();
    let first = catalog::update_product(
        &t.db,
        &admin,
        created.id,
        created.version,
        sim("SIM-2", "2.50"),
    )
    .await
    .unwrap();
    assert_eq!(first.version, created.version + 1);
    let stale = catalog::update_product(
        &t.db,
        &admin,
        created.id,
        created.version,
        sim("SIM-2", "9.99"),
    )
    .await;
    assert!(matches!(stale, Err(DomainError::Conflict(_))), "{stale:?}");
    assert_eq!(
        catalog::product(&t.db, &admin, created.id)
            .await
            .unwrap()
            .price
            .minor,
        250
    );

    let retired = catalog::set_product_status(
        &t.db,
        &admin,
        created.id,
        first.version,
        ProductStatus::Retired,
    )
    .await
    .unwrap();
    assert_eq!(retired.status, ProductStatus::Retired);
}

#[tokio::test]
async fn options_of_another_kind_or_tenant_are_refused_as_defaults() {
    let t = demo_db().await;
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    let alpina = actor(&t, ALPINA_ADMIN).await;
    let foreign_plan =
        catalog::create_option(&t.db, &alpina, "price_plan", "P1", "Alpina plan", "")
            .await
            .unwrap();
    let own_apn = catalog::create_option(&t.db, &nordwind, "apn_group", "A1", "APN", "")
        .await
        .unwrap();
    let mut input = sim("SIM-3", "1");
    input.default_price_plan = Some(foreign_plan.id);
    input.default_apn_group = Some(own_apn.id);
    input.default_roaming_profile = Some(own_apn.id);
    let mut found = fields(catalog::create_product(&t.db, &nordwind, input).await);
    found.sort();
    assert_eq!(found, ["default_price_plan", "default_roaming_profile"]);

    catalog::set_option_active(&t.db, &nordwind, own_apn.id, false)
        .await
        .unwrap();
    let mut retired = sim("SIM-3", "1");
    retired.default_apn_group = Some(own_apn.id);
    assert_eq!(
        fields(catalog::create_product(&t.db, &nordwind, retired).await),
        ["default_apn_group"]
    );
}

#[tokio::test]
async fn the_product_list_pages_by_keyset_in_every_order() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    for i in 0..25 {
        // Prices repeat, so the id breaks ties.
        catalog::create_product(
            &t.db,
            &admin,
            sim(&format!("SIM-{i:02}"), &format!("{}", 1 + i % 4)),
        )
        .await
        .unwrap();
    }
    for sort in [
        ProductSort::Name,
        ProductSort::PartNumber,
        ProductSort::Price,
    ] {
        for order in [SortOrder::Ascending, SortOrder::Descending] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = catalog::products(
                    &t.db,
                    &admin,
                    ProductQuery {
                        sort,
                        order,
                        after: after.clone(),
                        limit: 7,
                        ..ProductQuery::default()
                    },
                )
                .await
                .unwrap();
                seen.extend(
                    page.rows
                        .iter()
                        .map(|p| (p.price.minor, p.part_number.clone(), p.id)),
                );
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 25, "{sort:?} {order:?}");
            let mut expected = seen.clone();
            expected.sort_by(|a, b| {
                let key = |x: &(i64, String, i64)| match sort {
                    ProductSort::Price => (x.0, String::new(), x.2),
                    _ => (0, x.1.clone(), x.2),
                };
                key(a).cmp(&key(b))
            });
            if order == SortOrder::Descending {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{sort:?} {order:?}");
        }
    }
    let found = catalog::products(
        &t.db,
        &admin,
        ProductQuery {
            search: "sim-2".into(),
            limit: 50,
            ..ProductQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found.rows.len(), 5, "SIM-20 to SIM-24");
    let damaged = catalog::products(
        &t.db,
        &admin,
        ProductQuery {
            after: Some("garbage".into()),
            limit: 5,
            ..ProductQuery::default()
        },
    )
    .await;
    assert_eq!(fields(damaged), ["after"]);
}

#[tokio::test]
async fn products_round_trip_through_csv_and_bad_rows_are_reported_by_line() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    catalog::create_option(&t.db, &admin, "price_plan", "IOT-S", "IoT Small", "")
        .await
        .unwrap();
    let mut input = sim("SIM-A", "4.90");
    input.default_price_plan = catalog::options(&t.db, &admin, None)
        .await
        .unwrap()
        .first()
        .map(|o| o.id);
    catalog::create_product(&t.db, &admin, input).await.unwrap();
    let exported = catalog::export_products_csv(&t.db, &admin).await.unwrap();
    assert!(exported
        .lines()
        .next()
        .unwrap()
        .starts_with("part_number,name,"));
    assert!(exported.contains("SIM-A,IoT SIM SIM-A"));
    assert!(exported.contains(",4.90,EUR,43191501,"));
    assert!(exported.contains(",IOT-S,"));

    // Re-importing the export changes the one product and creates a second.
    let edited = exported.replace("4.90", "5.10")
        + &exported.lines().nth(1).unwrap().replace("SIM-A", "SIM-B")
        + "\n";
    let report = catalog::import_products_csv(&t.db, &admin, &edited)
        .await
        .unwrap();
    assert_eq!(
        (report.created, report.updated, report.errors.len()),
        (1, 1, 0),
        "{report:?}"
    );

    let broken =
        "part_number,name,sim_type,form_factor,unit_price,currency,unspsc,default_price_plan\n\
                  OK-1,Fine,plastic,4FF,1.00,EUR,43191501,IOT-S\n\
                  BAD-1,Bad,plastic,9FF,1.00,EUR,43191501,\n\
                  BAD-2,Bad,plastic,4FF,1.00,EUR,43191501,NOPE\n\
                  OK-1,Again,plastic,4FF,1.00,EUR,43191501,\n";
    let report = catalog::import_products_csv(&t.db, &admin, broken)
        .await
        .unwrap();
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5], "{report:?}");
    assert!(report.errors[0].message.contains("form_factor"));
    assert!(report.errors[1]
        .message
        .contains("no price plan with the code NOPE"));
    assert!(report.errors[2]
        .message
        .contains("appears already on line 2"));
    assert_eq!((report.created, report.updated), (0, 0));
    // All or nothing: OK-1 was not written.
    let page = catalog::products(
        &t.db,
        &admin,
        ProductQuery {
            search: "OK-1".into(),
            limit: 5,
            ..ProductQuery::default()
        },
    )
    .await
    .unwrap();
    assert!(page.rows.is_empty());

    let missing = catalog::import_products_csv(&t.db, &admin, "name,currency\nX,EUR\n").await;
    assert_eq!(fields(missing), ["file"]);
}

#[tokio::test]
async fn tenant_settings_are_validated_and_audited() {
    let t = demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let mut settings = simdesk_domain::tenants::settings(&t.db, &admin)
        .await
        .unwrap();
    assert!(!settings.allow_default_overrides);
    settings.allow_default_overrides = true;
    settings.brand_color = "#123ABC".into();
    let saved = simdesk_domain::tenants::update_settings(&t.db, &admin, settings.clone())
        .await
        .unwrap();
    assert!(saved.allow_default_overrides);
    assert_eq!(saved.brand_color, "#123abc");
    let bad = TenantSettings {
        brand_color: "teal".into(),
        logo_url: "http://insecure.example/logo.png".into(),
        support_email: "nope".into(),
        low_stock_threshold: "-1".into(),
        ..settings
    };
    let mut found = fields(simdesk_domain::tenants::update_settings(&t.db, &admin, bad).await);
    found.sort();
    assert_eq!(
        found,
        [
            "brand_color",
            "logo_url",
            "low_stock_threshold",
            "support_email"
        ]
    );
    let agent = actor(&t, NORDWIND_AGENT).await;
    assert!(matches!(
        simdesk_domain::tenants::update_settings(&t.db, &agent, saved).await,
        Err(DomainError::Forbidden)
    ));
}

#[tokio::test]
async fn nobody_reaches_another_tenants_catalog() {
    let t = demo_db().await;
    let alpina = actor(&t, ALPINA_ADMIN).await;
    let foreign = catalog::create_product(&t.db, &alpina, sim("ALP-1", "3"))
        .await
        .unwrap();
    let option = catalog::create_option(&t.db, &alpina, "service_profile", "S1", "Data", "")
        .await
        .unwrap();
    for email in [NORDWIND_ADMIN, NORDWIND_AGENT] {
        let intruder = actor(&t, email).await;
        assert!(
            matches!(
                catalog::product(&t.db, &intruder, foreign.id).await,
                Err(DomainError::NotFound)
            ),
            "{email}"
        );
        let listed = catalog::products(
            &t.db,
            &intruder,
            ProductQuery {
                limit: 100,
                ..ProductQuery::default()
            },
        )
        .await
        .unwrap();
        assert!(listed.rows.iter().all(|p| p.id != foreign.id));
        assert!(catalog::options(&t.db, &intruder, None)
            .await
            .unwrap()
            .is_empty());
        assert!(!catalog::export_products_csv(&t.db, &intruder)
            .await
            .unwrap()
            .contains("ALP-1"));
    }
    let nordwind = actor(&t, NORDWIND_ADMIN).await;
    for result in [
        catalog::update_product(
            &t.db,
            &nordwind,
            foreign.id,
            foreign.version,
            sim("ALP-1", "0.01"),
        )
        .await,
        catalog::set_product_status(
            &t.db,
            &nordwind,
            foreign.id,
            foreign.version,
            ProductStatus::Retired,
        )
        .await,
    ] {
        assert!(matches!(result, Err(DomainError::NotFound)), "{result:?}");
    }
    assert!(matches!(
        catalog::set_option_active(&t.db, &nordwind, option.id, false).await,
        Err(DomainError::NotFound)
    ));
    // Enterprise users see no provider catalog administration at all.
    for email in [HAFEN_ADMIN, HAFEN_PURCHASER, LAKESIDE_PURCHASER] {
        let user = actor(&t, email).await;
        assert!(
            matches!(
                catalog::options(&t.db, &user, None).await,
                Err(DomainError::Forbidden)
            ),
            "{email}"
        );
        assert!(
            matches!(
                simdesk_domain::tenants::settings(&t.db, &user).await,
                Err(DomainError::Forbidden)
            ),
            "{email}"
        );
    }
    assert_eq!(
        catalog::product(&t.db, &alpina, foreign.id)
            .await
            .unwrap()
            .price
            .minor,
        300
    );
}
