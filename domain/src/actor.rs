use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Linked, QueryFilter,
    RelationDef, RelationTrait, Select,
};
use simdesk_types::{Locale, Role};

use crate::db::{begin, DataScope};
use crate::entity::{app_user, membership};
use crate::DomainResult;

/// Who is acting: built once per request from the session and handed to every service call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub tenant_id: Option<i64>,
    pub account_id: Option<i64>,
    pub email: String,
    /// The name the timeline shows for the actor's steps.
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Set for users whose password was chosen by an admin: they may do nothing else first.
    pub must_change_password: bool,
    /// Set for users whose provider requires a second factor they have not set up: they may do
    /// nothing else first. [`Actor::load`] leaves it unset; `auth::session_actor` decides it.
    pub must_enrol_second_factor: bool,
    /// The language the user reads simdesk in (their stored choice).
    pub language: Locale,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has(*role))
    }

    /// Loads the actor for a signed-in user; `None` when the user no longer exists or was
    /// deactivated, which ends their sessions at once.
    pub async fn load(db: &DatabaseConnection, user_id: i64) -> DomainResult<Option<Actor>> {
        Ok(Self::load_with_user(db, user_id)
            .await?
            .map(|(actor, _)| actor))
    }

    /// [`Actor::load`], with the user's row it read, for callers that look at more of it.
    pub(crate) async fn load_with_user(
        db: &DatabaseConnection,
        user_id: i64,
    ) -> DomainResult<Option<(Actor, app_user::Model)>> {
        // Runs before the tenant is known, hence the system scope; it reads one user by id.
        let txn = begin(db, DataScope::System).await?;
        let found = with_roles(&txn, app_user::Entity::find_by_id(user_id)).await?;
        txn.commit().await?;
        let Some((user, roles)) = found.into_iter().next() else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        let actor = Actor {
            user_id: user.id,
            tenant_id: user.tenant_id,
            account_id: user.account_id,
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            roles,
            must_change_password: user.must_change_password,
            must_enrol_second_factor: false,
            language: language_of(&user),
        };
        Ok(Some((actor, user)))
    }
}

/// The language a user reads simdesk (and its e-mails) in; English for a code this build does
/// not know.
pub(crate) fn language_of(user: &app_user::Model) -> Locale {
    Locale::from_code(&user.locale).unwrap_or_default()
}

/// From a user to their memberships: the membership's own relation, reversed.
struct Memberships;

impl Linked for Memberships {
    type FromEntity = app_user::Entity;
    type ToEntity = membership::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![membership::Relation::User.def().rev()]
    }
}

/// The users `users` selects, each with its roles, read with one query.
pub(crate) async fn with_roles(
    db: &impl ConnectionTrait,
    users: Select<app_user::Entity>,
) -> DomainResult<Vec<(app_user::Model, Vec<Role>)>> {
    Ok(users
        .find_with_linked(Memberships)
        .all(db)
        .await?
        .into_iter()
        .map(|(user, memberships)| (user, roles(memberships)))
        .collect())
}

/// The roles memberships grant, sorted; a role this build does not know is left out.
fn roles(memberships: Vec<membership::Model>) -> Vec<Role> {
    let mut roles: Vec<Role> = memberships
        .into_iter()
        .filter_map(|m| m.role.parse().ok())
        .collect();
    roles.sort();
    roles
}

pub(crate) async fn roles_of(db: &impl ConnectionTrait, user_id: i64) -> DomainResult<Vec<Role>> {
    Ok(roles(
        membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .all(db)
            .await?,
    ))
}

impl DataScope {
    /// The actor's own tenant, or the system scope for the platform operator.
    pub fn of(actor: &Actor) -> Self {
        match actor.tenant_id {
            Some(tenant_id) => DataScope::Tenant(tenant_id),
            None => DataScope::System,
        }
    }
}

/// The signed-in user's own row.
pub(crate) async fn own_user(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
) -> DomainResult<app_user::Model> {
    app_user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(crate::DomainError::NotFound)
}
