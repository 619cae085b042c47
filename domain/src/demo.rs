//! Demo data: a platform operator and two service providers, each with two enterprise accounts
//! and one user per role. Idempotent: running it again changes nothing.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use simdesk_types::{Role, Wording};

use crate::audit::AuditEvent;
use crate::db::{begin, begin_write, DataScope};
use crate::entity::{account, app_user, tenant};
use crate::{password, users, DomainResult};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "simdesk-demo-2026";

/// One demo sign-in, for printing at start-up.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub role: Role,
    pub scope: String,
}

struct DemoTenant {
    slug: &'static str,
    name: &'static str,
    domain: &'static str,
    color: &'static str,
    /// Name, e-mail domain and customer number of each enterprise account.
    accounts: [(&'static str, &'static str, &'static str); 2],
}

const TENANTS: [DemoTenant; 2] = [
    DemoTenant {
        slug: "nordwind",
        name: "Nordwind Mobile",
        domain: "nordwind.example",
        color: "#0f766e",
        accounts: [
            ("Hafenlogistik GmbH", "hafenlogistik.example", "NW-1001"),
            ("Bergbahn Telematik AG", "bergbahn.example", "NW-1002"),
        ],
    },
    DemoTenant {
        slug: "alpina",
        name: "Alpina Telecom",
        domain: "alpina.example",
        color: "#1d4ed8",
        accounts: [
            ("Lakeside Utilities", "lakeside.example", "AL-2001"),
            ("Metro Fleet Services", "metrofleet.example", "AL-2002"),
        ],
    },
];

/// The demo sign-ins, whether or not they were seeded yet.
pub fn logins() -> Vec<DemoLogin> {
    let mut logins = vec![DemoLogin {
        email: "operator@simdesk.example".into(),
        role: Role::PlatformOperator,
        scope: "Platform".into(),
    }];
    for t in &TENANTS {
        for role in Role::TENANT_STAFF {
            logins.push(DemoLogin {
                email: format!("{}@{}", short(role), t.domain),
                role,
                scope: t.name.into(),
            });
        }
        for (account, domain, _) in t.accounts {
            for role in Role::ACCOUNT_USERS {
                logins.push(DemoLogin {
                    email: format!("{}@{}", short(role), domain),
                    role,
                    scope: format!("{account} ({})", t.name),
                });
            }
        }
    }
    logins
}

fn short(role: Role) -> &'static str {
    match role {
        Role::PlatformOperator => "operator",
        Role::TenantAdmin => "admin",
        Role::SpAgent => "agent",
        Role::AccountAdmin => "admin",
        Role::Purchaser => "purchaser",
        Role::Approver => "approver",
        Role::Viewer => "viewer",
    }
}

fn title(role: Role) -> &'static str {
    match role {
        Role::PlatformOperator => "Olivia Operator",
        Role::TenantAdmin => "Tessa Admin",
        Role::SpAgent => "Aaron Agent",
        Role::AccountAdmin => "Anna Admin",
        Role::Purchaser => "Paul Purchaser",
        Role::Approver => "Petra Approver",
        Role::Viewer => "Victor Viewer",
    }
}

/// Seeds the demo data unless it is there already. Returns whether anything was written.
pub async fn seed(db: &DatabaseConnection) -> DomainResult<bool> {
    if !seed_people(db).await? {
        return Ok(false);
    }
    for t in &TENANTS {
        seed_catalog(db, t).await?;
        seed_orders(db, t).await?;
    }
    Ok(true)
}

/// Seeds only the tenants, accounts and users of the demo, without any catalog.
pub async fn seed_people(db: &DatabaseConnection) -> DomainResult<bool> {
    let txn = begin(db, DataScope::System).await?;
    let present = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(TENANTS[0].slug))
        .one(&txn)
        .await?
        .is_some();
    txn.commit().await?;
    if present {
        return Ok(false);
    }
    let hashed = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let now = Utc::now();
    let txn = begin_write(db, DataScope::System).await?;
    let add_user = |tenant_id: Option<i64>, account_id: Option<i64>, email: String, role: Role| {
        let hashed = hashed.clone();
        let txn = &txn;
        async move {
            let user = app_user::ActiveModel {
                tenant_id: Set(tenant_id),
                account_id: Set(account_id),
                email: Set(email),
                display_name: Set(title(role).to_owned()),
                password_hash: Set(Some(hashed)),
                active: Set(true),
                must_change_password: Set(false),
                failed_sign_ins: Set(0),
                locked_until: Set(None),
                last_sign_in_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            users::grant(txn, &user, role).await?;
            DomainResult::Ok(user)
        }
    };
    add_user(
        None,
        None,
        "operator@simdesk.example".into(),
        Role::PlatformOperator,
    )
    .await?;
    for t in &TENANTS {
        let created = tenant::ActiveModel {
            slug: Set(t.slug.into()),
            name: Set(t.name.into()),
            support_email: Set(Some(format!("support@{}", t.domain))),
            brand_color: Set(Some(t.color.into())),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for role in Role::TENANT_STAFF {
            add_user(
                Some(created.id),
                None,
                format!("{}@{}", short(role), t.domain),
                role,
            )
            .await?;
        }
        for (name, domain, customer_number) in t.accounts {
            let acct = account::ActiveModel {
                tenant_id: Set(created.id),
                parent_account_id: Set(None),
                customer_number: Set(Some(customer_number.into())),
                name: Set(name.into()),
                status: Set("active".into()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            for role in Role::ACCOUNT_USERS {
                add_user(
                    Some(created.id),
                    Some(acct.id),
                    format!("{}@{}", short(role), domain),
                    role,
                )
                .await?;
            }
        }
        AuditEvent::new("demo.seeded", "tenant")
            .target(created.id)
            .tenant(Some(created.id), None)
            .record(&txn, None)
            .await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// A catalog per tenant, and its first account onboarded and ready to order; the second is
/// left half done, to show the checklist. Goes through the services, as staff would.
async fn seed_catalog(db: &DatabaseConnection, t: &DemoTenant) -> DomainResult<()> {
    use simdesk_types::{
        AccountInput, Entitlements, OptionKind, ProductInput, ShippingAddressInput,
    };
    let staff = |role: Role| format!("{}@{}", short(role), t.domain);
    let admin = demo_actor(db, &staff(Role::TenantAdmin)).await?;
    let agent = demo_actor(db, &staff(Role::SpAgent)).await?;
    let options: [(OptionKind, &str, &str); 11] = [
        (OptionKind::BillingStatus, "TEST", "Test"),
        (
            OptionKind::BillingStatus,
            "ACTIVATION_READY",
            "Activation ready",
        ),
        (OptionKind::BillingStatus, "ACTIVE", "Active"),
        (OptionKind::BillingStatus, "SUSPENDED", "Suspended"),
        (OptionKind::PricePlan, "IOT-S", "IoT Small, 100 MB pooled"),
        (OptionKind::PricePlan, "IOT-L", "IoT Large, 5 GB pooled"),
        (OptionKind::ServiceProfile, "DATA", "Data only"),
        (OptionKind::ServiceProfile, "DATA-SMS", "Data and SMS"),
        (OptionKind::RoamingProfile, "EU", "EU roaming"),
        (OptionKind::RoamingProfile, "WORLD", "Worldwide roaming"),
        (OptionKind::ApnGroup, "INTERNET", "Public internet APN"),
    ];
    let mut defaults = Entitlements::default();
    let mut allowed = Vec::new();
    for (kind, code, name) in options {
        let option =
            crate::catalog::create_option(db, &admin, kind.as_str(), code, name, "").await?;
        allowed.push(option.id);
        if defaults.get(kind).is_none() || code == "ACTIVATION_READY" {
            defaults.set(kind, Some(option.id));
        }
    }
    let product =
        |part: &str, name: &str, sim_type: &str, form: &str, price: &str, features: &str| {
            ProductInput {
                part_number: format!("{}-{part}", t.slug.to_uppercase()),
                name: name.into(),
                description: format!("{name} from {}", t.name),
                sim_type: sim_type.into(),
                form_factor: form.into(),
                features: features.into(),
                branding: t.name.into(),
                unit_price: price.into(),
                currency: "EUR".into(),
                unspsc: "43191501".into(),
                unit_of_measure: "EA".into(),
                min_order_quantity: "10".into(),
                max_order_quantity: "10000".into(),
                order_increment: "10".into(),
                initial_billing_status: defaults.billing_status,
                default_price_plan: defaults.price_plan,
                ..ProductInput::default()
            }
        };
    let mut products = Vec::new();
    for input in [
        product(
            "IOT-4FF",
            "Industrial IoT SIM, nano",
            "plastic",
            "4FF",
            "4.90",
            "LTE-M, NB-IoT, -40 to 105 °C",
        ),
        product(
            "IOT-MFF2",
            "Embedded IoT chip",
            "chip",
            "MFF2",
            "6.50",
            "LTE-M, soldered, 10-year data retention",
        ),
        product(
            "ESIM",
            "Consumer-grade eSIM profile",
            "esim",
            "eUICC",
            "2.00",
            "Remote provisioning (SGP.32)",
        ),
    ] {
        products.push(crate::catalog::create_product(db, &admin, input).await?);
    }
    for (index, (name, _, customer_number)) in t.accounts.into_iter().enumerate() {
        let Some(account) = crate::accounts::list(
            db,
            &agent,
            crate::accounts::AccountQuery {
                search: customer_number.into(),
                limit: 1,
                ..Default::default()
            },
        )
        .await?
        .rows
        .pop() else {
            continue;
        };
        let detail = crate::accounts::update(
            db,
            &agent,
            account.id,
            1,
            AccountInput {
                name: name.into(),
                customer_number: customer_number.into(),
                vat_id: "DE811907980".into(),
                billing_name: format!("{name}, Accounts Payable"),
                billing_street: "Am Sandtorkai 50".into(),
                billing_postal_code: "20457".into(),
                billing_city: "Hamburg".into(),
                billing_country: "DE".into(),
                status: "active".into(),
                ..AccountInput::default()
            },
        )
        .await?;
        crate::accounts::add_shipping_address(
            db,
            &agent,
            account.id,
            ShippingAddressInput {
                label: "Warehouse".into(),
                recipient: "Goods receiving".into(),
                street: "Kehrwieder 2".into(),
                postal_code: "20457".into(),
                city: "Hamburg".into(),
                country: "DE".into(),
            },
            true,
        )
        .await?;
        if index == 0 {
            crate::accounts::set_entitlements(
                db,
                &agent,
                account.id,
                detail.version,
                defaults.clone(),
                allowed.clone(),
            )
            .await?;
            crate::accounts::assign_product(db, &agent, account.id, products[0].id, "4.20").await?;
            crate::accounts::assign_product(db, &agent, account.id, products[1].id, "").await?;
        }
    }
    Ok(())
}

/// SIM stock for the first two products, overrides allowed, a spending limit for the first
/// account's purchaser, and one submitted PO waiting in the provider's inbox.
async fn seed_orders(db: &DatabaseConnection, t: &DemoTenant) -> DomainResult<()> {
    use simdesk_types::{PoAction, PoInput, PoLineInput};
    let admin = demo_actor(db, &format!("admin@{}", t.domain)).await?;
    let mut settings = crate::tenants::settings(db, &admin).await?;
    settings.allow_default_overrides = true;
    crate::tenants::update_settings(db, &admin, settings).await?;

    let products = crate::orders::stock::levels(db, &admin).await?;
    let mut csv = String::from("iccid,imsi,msisdn,part_number\n");
    let mut first = 1;
    for level in products
        .iter()
        .filter(|l| !l.part_number.ends_with("-ESIM"))
    {
        for (iccid, imsi, msisdn) in crate::orders::stock::sample_identities(first, 500) {
            csv.push_str(&format!("{iccid},{imsi},{msisdn},{}\n", level.part_number));
        }
        first += 500;
    }
    crate::orders::stock::import_csv(db, &admin, &csv).await?;

    let account_domain = t.accounts[0].1;
    let account_admin = demo_actor(db, &format!("admin@{account_domain}")).await?;
    let purchaser = demo_actor(db, &format!("purchaser@{account_domain}")).await?;
    crate::orders::set_spending_limit(db, &account_admin, purchaser.user_id, "1000.00", "EUR")
        .await?;
    let form = crate::orders::form_data(db, &purchaser, None, None).await?;
    let (Some(product), Some(address)) = (form.products.first(), form.addresses.first()) else {
        return Ok(());
    };
    let id = crate::orders::create_draft(
        db,
        &purchaser,
        PoInput {
            lines: vec![PoLineInput {
                product_id: Some(product.product_id),
                quantity: "100".into(),
            }],
            shipping_address_id: Some(address.id),
            comment: "Replacement SIMs for the harbour cranes".into(),
            ..PoInput::default()
        },
    )
    .await?;
    crate::orders::act(db, &purchaser, id, 1, PoAction::Submit, "").await?;
    Ok(())
}

async fn demo_actor(db: &DatabaseConnection, email: &str) -> DomainResult<crate::Actor> {
    let txn = begin(db, DataScope::System).await?;
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(&txn)
        .await?
        .ok_or(crate::DomainError::NotFound)?;
    txn.commit().await?;
    crate::Actor::load(db, user.id)
        .await?
        .ok_or(crate::DomainError::NotFound)
}

/// Creates a platform operator, or resets the password of an existing one.
pub async fn create_platform_operator(
    db: &DatabaseConnection,
    email: &str,
    display_name: &str,
    password_plain: &str,
) -> DomainResult<i64> {
    password::validate_new_password(password_plain)?;
    let email = crate::email::normalize_email(email);
    let hashed = password::hash(password_plain.to_owned()).await?;
    let now = Utc::now();
    let txn = begin_write(db, DataScope::System).await?;
    let existing = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    let user = match existing {
        Some(user) if user.tenant_id.is_some() => {
            return Err(crate::DomainError::invalid(
                "email",
                Wording::new(
                    "This e-mail belongs to a tenant's user; choose another.",
                    "Diese E-Mail-Adresse gehört einem Nutzer eines Anbieters; wählen Sie eine andere.",
                ),
            ));
        }
        Some(user) => {
            let mut model: app_user::ActiveModel = user.into();
            model.password_hash = Set(Some(hashed));
            model.active = Set(true);
            model.locked_until = Set(None);
            model.failed_sign_ins = Set(0);
            model.updated_at = Set(now);
            model.update(&txn).await?
        }
        None => {
            let user = app_user::ActiveModel {
                tenant_id: Set(None),
                account_id: Set(None),
                email: Set(email.clone()),
                display_name: Set(display_name.trim().to_owned()),
                password_hash: Set(Some(hashed)),
                active: Set(true),
                must_change_password: Set(false),
                failed_sign_ins: Set(0),
                locked_until: Set(None),
                last_sign_in_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            users::grant(&txn, &user, Role::PlatformOperator).await?;
            user
        }
    };
    AuditEvent::new("operator.provisioned", "user")
        .target(user.id)
        .record(&txn, None)
        .await?;
    txn.commit().await?;
    Ok(user.id)
}
