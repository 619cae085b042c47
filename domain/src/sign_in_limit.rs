//! The per-address limit on sign-in attempts (passwords, codes, single sign-on starts, reset
//! requests), counted per minute in the database, so that it holds across every instance behind
//! a load balancer. A leaf: imports no service.

use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::net::IpAddr;

use crate::db::{begin_write, DataScope};
use crate::DomainResult;

/// The client an attempt is counted for: its address, or an IPv6 client's /64 network, which
/// one subscriber usually holds whole.
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Counts an attempt of `client` in the current minute; whether it is within `per_minute`.
pub async fn allow(db: &DatabaseConnection, client: &str, per_minute: u32) -> DomainResult<bool> {
    let minute = chrono::Utc::now().timestamp().div_euclid(60);
    let table = Alias::new("sign_in_window");
    let attempts = Alias::new("attempts");
    let upsert = Query::insert()
        .into_table(table.clone())
        .columns([Alias::new("client"), Alias::new("minute"), attempts.clone()])
        .values_panic([client.into(), minute.into(), 1.into()])
        .on_conflict(
            OnConflict::columns([Alias::new("client"), Alias::new("minute")])
                .value(
                    attempts.clone(),
                    Expr::col((table, attempts.clone())).add(1),
                )
                .to_owned(),
        )
        .returning_col(attempts)
        .to_owned();
    let txn = begin_write(db, DataScope::System).await?;
    let backend = txn.get_database_backend();
    let counted: i64 = match txn.query_one(backend.build(&upsert)).await? {
        Some(row) => row.try_get_by_index::<i32>(0).map(i64::from)?,
        None => i64::MAX,
    };
    txn.commit().await?;
    Ok(counted <= i64::from(per_minute))
}

/// Removes the counts of minutes that have passed; returns how many went.
pub async fn purge(db: &DatabaseConnection) -> DomainResult<u64> {
    let minute = chrono::Utc::now().timestamp().div_euclid(60);
    let delete = Query::delete()
        .from_table(Alias::new("sign_in_window"))
        .and_where(Expr::col(Alias::new("minute")).lt(minute - 1))
        .to_owned();
    let txn = begin_write(db, DataScope::System).await?;
    let backend = txn.get_database_backend();
    let deleted = txn.execute(backend.build(&delete)).await?.rows_affected();
    txn.commit().await?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::client_key;

    #[test]
    fn ipv6_clients_count_per_network() {
        assert_eq!(client_key("203.0.113.9".parse().unwrap()), "203.0.113.9");
        assert_eq!(
            client_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            client_key("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_eq!(
            client_key("::ffff:203.0.113.9".parse().unwrap()),
            "203.0.113.9"
        );
    }
}
