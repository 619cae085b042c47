use crate::support::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{notification, sim_card};
use simdesk_domain::orders::provisioning::{self, Source};
use simdesk_domain::orders::{self, stock, PoQuery};
use simdesk_domain::testing::TestDatabase;
use simdesk_domain::{Actor, DomainError};
use simdesk_types::{
    Entitlements, OptionKind, PoAction, PoInput, PoLineInput, PoStatus, ShipmentInput,
    ShippingAddressInput,
};
use std::collections::HashSet;

/// A PO input for `quantity` of the account's first product, to its first address.
pub async fn po_input(t: &TestDatabase, buyer: &Actor, quantity: u32) -> PoInput {
    let form = orders::form_data(&t.db, buyer, None, None).await.unwrap();
    let nano = form
        .products
        .iter()
        .find(|p| p.part_number.ends_with("-IOT-4FF"))
        .expect("the nano SIM is assigned");
    PoInput {
        lines: vec![PoLineInput {
            product_id: Some(nano.product_id),
            quantity: quantity.to_string(),
        }],
        shipping_address_id: Some(form.addresses[0].id),
        ..PoInput::default()
    }
}

async fn version(t: &TestDatabase, actor: &Actor, id: i64) -> i32 {
    orders::detail(&t.db, actor, id).await.unwrap().version
}

async fn act(
    t: &TestDatabase,
    actor: &Actor,
    id: i64,
    action: PoAction,
    reason: &str,
) -> Result<PoStatus, DomainError> {
    let v = version(t, actor, id).await;
    orders::act(&t.db, actor, id, v, action, reason).await
}

fn messages<T: std::fmt::Debug>(result: Result<T, DomainError>) -> Vec<String> {
    match result {
        Err(DomainError::Invalid(errors)) => errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_po_travels_from_draft_over_approval_and_rejection_to_closed() {
    let t = full_demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let approver = actor(&t, HAFEN_APPROVER).await;
    let agent = actor(&t, NORDWIND_AGENT).await;

    // 300 SIMs at 4.20 exceed the purchaser's limit of 1000.00; the price plan is overridden.
    let form = orders::form_data(&t.db, &purchaser, None, None)
        .await
        .unwrap();
    assert!(form.sim_settings.overrides_allowed);
    let plan = form
        .sim_settings
        .override_options
        .iter()
        .find(|o| o.kind == OptionKind::PricePlan && o.code == "IOT-L")
        .expect("an entitled price plan")
        .clone();
    let mut input = po_input(&t, &purchaser, 300).await;
    input.overrides = Entitlements {
        price_plan: Some(plan.id),
        ..Entitlements::default()
    };
    input.requested_ship_date =
        (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let id = orders::create_draft(&t.db, &purchaser, input.clone())
        .await
        .unwrap();
    let draft = orders::detail(&t.db, &purchaser, id).await.unwrap();
    assert_eq!(draft.status, PoStatus::Draft);
    assert_eq!(draft.total.minor, 126_000);
    assert!(draft.actions.contains(&PoAction::Edit));
    // The provider sees the draft too.
    assert_eq!(
        orders::detail(&t.db, &agent, id).await.unwrap().status,
        PoStatus::Draft
    );

    assert_eq!(
        act(&t, &purchaser, id, PoAction::Submit, "").await.unwrap(),
        PoStatus::AwaitingApproval
    );
    // Nobody approves their own PO, and agents cannot approve for the account.
    assert!(matches!(
        act(&t, &purchaser, id, PoAction::Approve, "").await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        act(&t, &agent, id, PoAction::Approve, "").await,
        Err(DomainError::Forbidden)
    ));
    assert_eq!(
        act(&t, &approver, id, PoAction::Approve, "").await.unwrap(),
        PoStatus::Submitted
    );

    let submitted = orders::detail(&t.db, &agent, id).await.unwrap();
    let checks = submitted.plausibility.expect("checks for the provider");
    assert_eq!(checks.len(), 6);
    assert!(checks.iter().all(|c| c.passed), "{checks:?}");
    assert!(orders::detail(&t.db, &purchaser, id)
        .await
        .unwrap()
        .plausibility
        .is_none());

    let no_reason = act(&t, &agent, id, PoAction::Reject, "  ").await;
    assert!(messages(no_reason)[0].starts_with("reason:"));
    assert_eq!(
        act(
            &t,
            &agent,
            id,
            PoAction::Reject,
            "Split it into two deliveries"
        )
        .await
        .unwrap(),
        PoStatus::Rejected
    );
    let rejected = orders::detail(&t.db, &purchaser, id).await.unwrap();
    assert_eq!(rejected.rejection_reason, "Split it into two deliveries");

    assert_eq!(
        act(&t, &purchaser, id, PoAction::Reopen, "").await.unwrap(),
        PoStatus::Draft
    );
    input.lines[0].quantity = "200".into();
    let v = version(&t, &purchaser, id).await;
    orders::update_draft(&t.db, &purchaser, id, v, input.clone())
        .await
        .unwrap();
    // 200 × 4.20 = 840.00 is within the limit: straight to the provider.
    assert_eq!(
        act(&t, &purchaser, id, PoAction::Submit, "").await.unwrap(),
        PoStatus::Submitted
    );
    assert_eq!(
        act(&t, &agent, id, PoAction::Accept, "").await.unwrap(),
        PoStatus::Accepted
    );
    let accepted = orders::detail(&t.db, &agent, id).await.unwrap();
    assert!(accepted.po_number.is_some_and(|n| n > 100_000));

    let v = version(&t, &agent, id).await;
    assert_eq!(
        provisioning::provision(&t.db, &agent, id, v, Source::Stock)
            .await
            .unwrap(),
        PoStatus::Ready
    );
    let ready = orders::detail(&t.db, &purchaser, id).await.unwrap();
    assert_eq!(ready.sim_count, 200);
    assert!(ready
        .sims
        .iter()
        .all(|s| s.price_plan.as_deref() == Some(plan.name.as_str())));
    assert!(ready
        .lines
        .iter()
        .all(|l| l.provisioned_quantity == l.quantity));
    let csv = orders::sims_csv(&t.db, &purchaser, id).await.unwrap();
    assert_eq!(csv.lines().count(), 201);

    let v = version(&t, &agent, id).await;
    let bad = orders::ship(&t.db, &agent, id, v, ShipmentInput::default()).await;
    assert_eq!(messages(bad).len(), 3);
    let shipment = ShipmentInput {
        carrier: "DHL".into(),
        tracking_number: "JD014600006281230704".into(),
        shipped_on: chrono::Utc::now().date_naive().to_string(),
    };
    assert_eq!(
        orders::ship(&t.db, &agent, id, v, shipment).await.unwrap(),
        PoStatus::Shipped
    );
    assert_eq!(
        act(&t, &purchaser, id, PoAction::ConfirmReceipt, "")
            .await
            .unwrap(),
        PoStatus::Closed
    );

    let closed = orders::detail(&t.db, &purchaser, id).await.unwrap();
    assert!(closed.actions.is_empty());
    assert_eq!(closed.shipment.unwrap().carrier, "DHL");
    let steps: Vec<PoAction> = closed.timeline.iter().map(|e| e.action).collect();
    assert_eq!(
        steps,
        vec![
            PoAction::Create,
            PoAction::Submit,
            PoAction::Approve,
            PoAction::Reject,
            PoAction::Reopen,
            PoAction::Submit,
            PoAction::Accept,
            PoAction::Provision,
            PoAction::Ship,
            PoAction::ConfirmReceipt,
        ]
    );
    assert_eq!(closed.timeline[3].reason, "Split it into two deliveries");

    // Who was told what: the approver of the approval, the agent of submissions, the purchaser
    // of the provider's decisions.
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let told: Vec<(String, String)> = notification::Entity::find()
        .filter(notification::Column::PurchaseOrderId.eq(id))
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.event, n.recipient_email))
        .collect();
    drop(txn);
    for expected in [
        ("po.awaiting_approval", HAFEN_APPROVER),
        ("po.submitted", NORDWIND_AGENT),
        ("po.rejected", HAFEN_PURCHASER),
        ("po.accepted", HAFEN_PURCHASER),
        ("po.ready", HAFEN_PURCHASER),
        ("po.shipped", HAFEN_PURCHASER),
        ("po.closed", NORDWIND_AGENT),
    ] {
        assert!(
            told.iter().any(|(e, r)| e == expected.0 && r == expected.1),
            "{expected:?} missing from {told:?}"
        );
    }
    let actions: Vec<String> = audit_actions(&t).await.into_iter().map(|a| a.1).collect();
    for action in [
        "po.created",
        "po.submitted",
        "po.approved",
        "po.rejected",
        "po.accepted",
        "po.provisioned",
        "po.shipped",
        "po.closed",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited");
    }
}

#[tokio::test]
async fn drafts_are_validated_precisely() {
    let t = full_demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let mut input = po_input(&t, &purchaser, 15).await;
    input.shipping_address_id = None;
    input.new_address = ShippingAddressInput {
        recipient: "Goods in".into(),
        ..ShippingAddressInput::default()
    };
    input.requested_ship_date = "2020-01-01".into();
    input.overrides.apn_group = Some(999_999);
    let errors = messages(orders::create_draft(&t.db, &purchaser, input).await);
    for expected in [
        "lines: Industrial IoT SIM, nano: order in multiples of 10.",
        "new_address.street: Enter the street, or choose one of the account's addresses.",
        "new_address.country: Enter the country, or choose one of the account's addresses.",
        "requested_ship_date: The requested shipping date is in the past.",
        "overrides.apn_group: Choose one of the APN group options this account is entitled to.",
    ] {
        assert!(
            errors.iter().any(|e| e == expected),
            "{expected} not in {errors:?}"
        );
    }
    let mut empty = po_input(&t, &purchaser, 0).await;
    empty.lines[0].quantity = "".into();
    assert_eq!(
        messages(orders::create_draft(&t.db, &purchaser, empty).await),
        vec!["lines: Enter a quantity for at least one product.".to_owned()]
    );
    let mut words = po_input(&t, &purchaser, 10).await;
    words.lines[0].quantity = "ten".into();
    assert!(
        messages(orders::create_draft(&t.db, &purchaser, words).await)[0].contains("whole number")
    );
}

#[tokio::test]
async fn illegal_steps_are_refused_whatever_is_posted() {
    let t = full_demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let viewer = actor(&t, HAFEN_VIEWER).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let id = orders::create_draft(&t.db, &purchaser, po_input(&t, &purchaser, 10).await)
        .await
        .unwrap();
    // Wrong party.
    assert!(matches!(
        act(&t, &viewer, id, PoAction::Submit, "").await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        act(&t, &purchaser, id, PoAction::Accept, "").await,
        Err(DomainError::Forbidden)
    ));
    // Wrong status.
    let shipped = act(&t, &agent, id, PoAction::Accept, "").await;
    assert!(
        matches!(shipped, Err(DomainError::Conflict(ref m)) if m.english.contains("is draft")),
        "{shipped:?}"
    );
    // Steps that need their own form are not accepted by the generic entry point.
    assert!(act(&t, &agent, id, PoAction::Provision, "").await.is_err());
    // A stale version is a conflict, not a silent overwrite.
    act(&t, &purchaser, id, PoAction::Submit, "").await.unwrap();
    let stale = orders::act(&t.db, &agent, id, 1, PoAction::Accept, "").await;
    assert!(matches!(stale, Err(DomainError::Conflict(_))), "{stale:?}");
    // Buyers cancel before acceptance only.
    act(&t, &agent, id, PoAction::Accept, "").await.unwrap();
    assert!(matches!(
        act(&t, &purchaser, id, PoAction::Cancel, "").await,
        Err(DomainError::Conflict(_))
    ));
    assert_eq!(
        act(&t, &agent, id, PoAction::Cancel, "Customer called")
            .await
            .unwrap(),
        PoStatus::Cancelled
    );
}

#[tokio::test]
async fn two_agents_deciding_one_po_at_once_cannot_both_win() {
    let t = full_demo_db().await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    for round in 0..4 {
        let purchaser = actor(&t, HAFEN_PURCHASER).await;
        let id = orders::create_draft(&t.db, &purchaser, po_input(&t, &purchaser, 10).await)
            .await
            .unwrap();
        act(&t, &purchaser, id, PoAction::Submit, "").await.unwrap();
        let v = version(&t, &agent, id).await;
        let second = if round % 2 == 0 {
            PoAction::Accept
        } else {
            PoAction::Reject
        };
        let (a, b) = tokio::join!(
            orders::act(&t.db, &agent, id, v, PoAction::Accept, ""),
            orders::act(&t.db, &admin, id, v, second, "Duplicate order"),
        );
        let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(DomainError::Conflict(_))), "{loser:?}");
        let detail = orders::detail(&t.db, &agent, id).await.unwrap();
        assert_eq!(
            detail
                .timeline
                .iter()
                .filter(|e| matches!(e.action, PoAction::Accept | PoAction::Reject))
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn two_pos_provisioned_at_once_never_share_a_sim() {
    let t = full_demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    // Use up the demo stock of the product but 30 SIMs.
    let product_id = po_input(&t, &purchaser, 10).await.lines[0]
        .product_id
        .unwrap();
    let free = stock::levels(&t.db, &admin)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.product_id == product_id)
        .unwrap()
        .free;
    let mut big = Vec::new();
    let first = ((free as u32 - 30) / 20) * 10;
    for quantity in [first, free as u32 - 30 - first] {
        let id = orders::create_draft(
            &t.db,
            &agent,
            PoInput {
                account_id: Some(purchaser.account_id.unwrap()),
                ..po_input(&t, &purchaser, quantity).await
            },
        )
        .await
        .unwrap();
        big.push(id);
    }
    for id in &big {
        act(&t, &agent, *id, PoAction::Submit, "").await.unwrap();
        act(&t, &agent, *id, PoAction::Accept, "").await.unwrap();
        let v = version(&t, &agent, *id).await;
        provisioning::provision(&t.db, &agent, *id, v, Source::Stock)
            .await
            .unwrap();
    }
    let left = stock::levels(&t.db, &admin)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.product_id == product_id)
        .unwrap()
        .free;
    assert_eq!(left, 30);

    let mut ids = Vec::new();
    for _ in 0..2 {
        let id = orders::create_draft(&t.db, &purchaser, po_input(&t, &purchaser, 20).await)
            .await
            .unwrap();
        act(&t, &purchaser, id, PoAction::Submit, "").await.unwrap();
        act(&t, &agent, id, PoAction::Accept, "").await.unwrap();
        ids.push(id);
    }
    let (v0, v1) = (
        version(&t, &agent, ids[0]).await,
        version(&t, &agent, ids[1]).await,
    );
    let (a, b) = tokio::join!(
        provisioning::provision(&t.db, &agent, ids[0], v0, Source::Stock),
        provisioning::provision(&t.db, &admin, ids[1], v1, Source::Stock),
    );
    let mut statuses = vec![a.unwrap(), b.unwrap()];
    statuses.sort();
    assert_eq!(statuses, vec![PoStatus::Provisioning, PoStatus::Ready]);

    let txn = begin(&t.db, DataScope::System).await.unwrap();
    let assigned = sim_card::Entity::find()
        .filter(sim_card::Column::PurchaseOrderId.is_in(ids.clone()))
        .all(&txn)
        .await
        .unwrap();
    drop(txn);
    assert_eq!(assigned.len(), 30);
    let distinct: HashSet<i64> = assigned.iter().map(|s| s.id).collect();
    assert_eq!(distinct.len(), 30);

    // The short PO gets the rest once stock arrives, by naming the SIMs.
    let short = if orders::detail(&t.db, &agent, ids[0]).await.unwrap().status == PoStatus::Ready {
        ids[1]
    } else {
        ids[0]
    };
    let part = orders::detail(&t.db, &agent, short).await.unwrap().lines[0]
        .part_number
        .clone();
    let mut csv = String::from("iccid,imsi,msisdn,part_number\n");
    let fresh = stock::sample_identities(900_000, 10);
    for (iccid, imsi, msisdn) in &fresh {
        csv.push_str(&format!("{iccid},{imsi},+{msisdn},{part}\n"));
    }
    assert_eq!(
        stock::import_csv(&t.db, &admin, &csv)
            .await
            .unwrap()
            .created,
        10
    );
    let v = version(&t, &agent, short).await;
    let bad = provisioning::provision(
        &t.db,
        &agent,
        short,
        v,
        Source::Identifiers("123\n8949000000000000000"),
    )
    .await;
    assert!(messages(bad)
        .iter()
        .any(|m| m.contains("no SIM 123 in stock")));
    let named: String = fresh
        .iter()
        .map(|(iccid, _, _)| format!("{iccid}\n"))
        .collect();
    assert_eq!(
        provisioning::provision(&t.db, &agent, short, v, Source::Identifiers(&named))
            .await
            .unwrap(),
        PoStatus::Ready
    );
}

#[tokio::test]
async fn a_stock_file_is_loaded_whole_or_not_at_all() {
    let t = full_demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let before = stock::levels(&t.db, &admin).await.unwrap();
    let ids = stock::sample_identities(700_000, 3);
    let (demo_iccid, _, _) = stock::sample_identities(1, 1).remove(0);
    let mut wrong_luhn = ids[1].0.clone();
    let last = wrong_luhn.pop().unwrap().to_digit(10).unwrap();
    wrong_luhn.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let csv = format!(
        "iccid,imsi,msisdn,part_number\n\
         {},{},+{},NORDWIND-IOT-4FF\n\
         {wrong_luhn},{},,NORDWIND-IOT-4FF\n\
         {},99901234567,,NORDWIND-IOT-4FF\n\
         {},{},,NORDWIND-NOPE\n\
         {demo_iccid},262019999999999,,NORDWIND-IOT-4FF\n\
         {},{},0171,NORDWIND-IOT-4FF\n",
        ids[0].0, ids[0].1, ids[0].2, ids[1].1, ids[2].0, ids[2].0, ids[2].1, ids[0].0, ids[0].1,
    );
    let report = stock::import_csv(&t.db, &admin, &csv).await.unwrap();
    assert_eq!(report.created, 0);
    let lines: Vec<(u64, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    let expect = |line: u64, needle: &str| {
        assert!(
            lines.iter().any(|(l, m)| *l == line && m.contains(needle)),
            "line {line}: {needle:?} not in {lines:?}"
        )
    };
    expect(3, "check digit");
    expect(4, "no mobile country code");
    expect(5, "No product has the part number NORDWIND-NOPE");
    expect(5, "repeats line 4");
    expect(6, "is already in stock");
    expect(7, "E.164");
    expect(7, "repeats line 2");
    assert_eq!(stock::levels(&t.db, &admin).await.unwrap(), before);
    // The refusal of a whole file says why.
    assert!(matches!(
        stock::import_csv(&t.db, &admin, "serial\n1\n").await,
        Err(DomainError::Invalid(_))
    ));
    // Agents read stock levels but do not load SIMs.
    let agent = actor(&t, NORDWIND_AGENT).await;
    assert!(stock::levels(&t.db, &agent).await.is_ok());
    assert!(matches!(
        stock::import_csv(&t.db, &agent, &csv).await,
        Err(DomainError::Forbidden)
    ));
}

#[tokio::test]
async fn nobody_reaches_another_tenants_or_accounts_orders() {
    let t = full_demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let id = orders::create_draft(&t.db, &purchaser, po_input(&t, &purchaser, 10).await)
        .await
        .unwrap();
    act(&t, &purchaser, id, PoAction::Submit, "").await.unwrap();
    let account_id = purchaser.account_id.unwrap();
    let purchaser_id = purchaser.user_id;

    for outsider in [
        ALPINA_AGENT,
        ALPINA_ADMIN,
        LAKESIDE_PURCHASER,
        BERGBAHN_ADMIN,
        BERGBAHN_VIEWER,
    ] {
        let o = actor(&t, outsider).await;
        let not_found = |r: Result<_, DomainError>, what: &str| {
            assert!(
                matches!(r, Err(DomainError::NotFound | DomainError::Forbidden)),
                "{outsider} {what}: {:?}",
                r.map(|_: ()| ())
            );
        };
        not_found(orders::detail(&t.db, &o, id).await.map(|_| ()), "detail");
        for action in [
            PoAction::Accept,
            PoAction::Reject,
            PoAction::Reopen,
            PoAction::Cancel,
            PoAction::Approve,
        ] {
            not_found(
                orders::act(&t.db, &o, id, 2, action, "x").await.map(|_| ()),
                "act",
            );
        }
        not_found(
            orders::ship(&t.db, &o, id, 2, ShipmentInput::default())
                .await
                .map(|_| ()),
            "ship",
        );
        not_found(
            provisioning::provision(&t.db, &o, id, 2, Source::Stock)
                .await
                .map(|_| ()),
            "provision",
        );
        not_found(orders::sims_csv(&t.db, &o, id).await.map(|_| ()), "sims");
        not_found(
            orders::update_draft(&t.db, &o, id, 2, PoInput::default())
                .await
                .map(|_| ()),
            "update",
        );
        not_found(
            orders::form_data(&t.db, &o, None, Some(id))
                .await
                .map(|_| ()),
            "form",
        );
        // Account users always order for their own account, whatever account is asked for;
        // staff of another tenant find no such account.
        match orders::form_data(&t.db, &o, Some(account_id), None).await {
            Ok(form) => {
                assert!(o.account_id.is_some(), "{outsider} got a foreign form");
                assert_ne!(form.account_id, account_id, "{outsider} got a foreign form");
            }
            Err(error) => assert!(
                matches!(error, DomainError::NotFound | DomainError::Forbidden),
                "{outsider} form of account: {error:?}"
            ),
        }
        not_found(
            orders::set_spending_limit(&t.db, &o, purchaser_id, "1", "EUR").await,
            "limit",
        );
        let list = orders::list(
            &t.db,
            &o,
            PoQuery {
                account_id: Some(account_id),
                limit: 50,
                ..PoQuery::default()
            },
        )
        .await;
        if let Ok(list) = list {
            assert!(
                list.rows.iter().all(|r| r.account_id != account_id),
                "{outsider} lists a foreign PO"
            );
        }
    }
    // An agent of another tenant cannot raise a PO for this account.
    let alpina = actor(&t, ALPINA_AGENT).await;
    let foreign = orders::create_draft(
        &t.db,
        &alpina,
        PoInput {
            account_id: Some(account_id),
            ..po_input(&t, &purchaser, 10).await
        },
    )
    .await;
    assert!(matches!(foreign, Err(DomainError::NotFound)), "{foreign:?}");
    // Every attempt is on record.
    let denied = audit_actions(&t)
        .await
        .into_iter()
        .filter(|a| a.1 == "access.denied")
        .count();
    assert!(denied >= 20, "{denied}");
    // A viewer of the account reads but acts on nothing.
    let viewer = actor(&t, HAFEN_VIEWER).await;
    let seen = orders::detail(&t.db, &viewer, id).await.unwrap();
    assert!(seen.actions.is_empty());
}

#[tokio::test]
async fn the_inbox_filters_and_counts() {
    let t = full_demo_db().await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    for _ in 0..3 {
        orders::create_draft(&t.db, &purchaser, po_input(&t, &purchaser, 10).await)
            .await
            .unwrap();
    }
    let all = orders::list(
        &t.db,
        &agent,
        PoQuery {
            limit: 2,
            ..PoQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.rows.len(), 2);
    let count = |status| {
        all.counts
            .iter()
            .find(|c| c.status == status)
            .map_or(0, |c| c.count)
    };
    assert_eq!(count(PoStatus::Draft), 3);
    assert_eq!(count(PoStatus::Submitted), 1);
    let rest = orders::list(
        &t.db,
        &agent,
        PoQuery {
            limit: 2,
            after: all.next.clone(),
            ..PoQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rest.rows.len(), 2);
    assert!(rest.next.is_none());
    let submitted = orders::list(
        &t.db,
        &agent,
        PoQuery {
            statuses: vec![PoStatus::Submitted],
            limit: 50,
            ..PoQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(submitted.rows.len(), 1);
    assert_eq!(submitted.rows[0].quantity, 100);
    let old = orders::list(
        &t.db,
        &agent,
        PoQuery {
            older_than_days: Some(1),
            limit: 50,
            ..PoQuery::default()
        },
    )
    .await
    .unwrap();
    assert!(old.rows.is_empty());
    let txn = begin(&t.db, DataScope::System).await.unwrap();
    assert_eq!(
        simdesk_domain::entity::purchase_order::Entity::find()
            .count(&txn)
            .await
            .unwrap(),
        5
    );
}

#[tokio::test]
async fn a_provider_cancelling_a_partly_provisioned_po_returns_its_sims_to_stock() {
    let t = full_demo_db().await;
    let admin = actor(&t, NORDWIND_ADMIN).await;
    let agent = actor(&t, NORDWIND_AGENT).await;
    let purchaser = actor(&t, HAFEN_PURCHASER).await;
    let input = po_input(&t, &purchaser, 10).await;
    let product_id = input.lines[0].product_id.unwrap();
    let free = |levels: Vec<simdesk_types::StockLevel>| {
        levels
            .into_iter()
            .find(|l| l.product_id == product_id)
            .unwrap()
            .free
    };
    let before = free(stock::levels(&t.db, &admin).await.unwrap());
    // More than the stock holds: provisioning stops part way.
    let quantity = ((before as u32 / 10) + 1) * 10;
    let id = orders::create_draft(
        &t.db,
        &agent,
        PoInput {
            account_id: purchaser.account_id,
            ..po_input(&t, &purchaser, quantity).await
        },
    )
    .await
    .unwrap();
    act(&t, &agent, id, PoAction::Submit, "").await.unwrap();
    let checks = orders::detail(&t.db, &agent, id)
        .await
        .unwrap()
        .plausibility
        .unwrap();
    let stock_check = checks.iter().find(|c| c.check == "SIM stock").unwrap();
    assert!(!stock_check.passed, "{stock_check:?}");
    act(&t, &agent, id, PoAction::Accept, "").await.unwrap();
    let v = version(&t, &agent, id).await;
    assert_eq!(
        provisioning::provision(&t.db, &agent, id, v, Source::Stock)
            .await
            .unwrap(),
        PoStatus::Provisioning
    );
    assert_eq!(free(stock::levels(&t.db, &admin).await.unwrap()), 0);
    // Nothing left: a second attempt says so instead of moving the PO.
    let v = version(&t, &agent, id).await;
    let empty = provisioning::provision(&t.db, &agent, id, v, Source::Stock).await;
    assert!(messages(empty)[0].contains("load SIMs first"));
    assert_eq!(
        act(&t, &agent, id, PoAction::Cancel, "Stock delayed")
            .await
            .unwrap(),
        PoStatus::Cancelled
    );
    assert_eq!(free(stock::levels(&t.db, &admin).await.unwrap()), before);
    let detail = orders::detail(&t.db, &agent, id).await.unwrap();
    assert_eq!(detail.sim_count, 0);
    assert!(detail.lines.iter().all(|l| l.provisioned_quantity == 0));
}
