//! Demo data: a platform operator and two service providers, each with two enterprise accounts
//! and one user per role. Idempotent: running it again changes nothing.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use simdesk_types::Role;

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

/// Creates a platform operator, or resets the password of an existing one.
pub async fn create_platform_operator(
    db: &DatabaseConnection,
    email: &str,
    display_name: &str,
    password_plain: &str,
) -> DomainResult<i64> {
    password::validate_new_password(password_plain)?;
    let email = crate::auth::normalize_email(email);
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
                "This e-mail belongs to a tenant's user; choose another.",
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
