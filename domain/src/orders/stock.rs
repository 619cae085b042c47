//! The tenant's SIM stock: checking SIM identities, loading SIMs by CSV, stock levels.

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QuerySelect, QueryTrait, Set,
};
use simdesk_types::{ImportReport, RowError, StockLevel, Wording};
use std::collections::{HashMap, HashSet};

use crate::db::{begin, begin_write, DataScope};
use crate::entity::{product, purchase_order, purchase_order_line, sim_card};
use crate::policy::{self, Permission};
use crate::{Actor, DomainError, DomainResult};

/// The largest stock file accepted at once.
pub const MAX_STOCK_ROWS: usize = 200_000;
const INSERT_CHUNK: usize = 1_000;
const LOOKUP_CHUNK: usize = 1_000;

/// Where a SIM of the stock stands. Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimStatus {
    /// In stock, on no PO.
    Free,
    /// Provisioned for a PO's line.
    Assigned,
}

impl SimStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            SimStatus::Free => "free",
            SimStatus::Assigned => "assigned",
        }
    }

    pub fn parse(code: &str) -> Option<SimStatus> {
        [SimStatus::Free, SimStatus::Assigned]
            .into_iter()
            .find(|status| status.as_str() == code)
    }
}

/// Whether the digits pass the Luhn check (the last digit is the check digit).
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (position, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if position % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Checks an ICCID: 19 or 20 digits ending in a valid Luhn check digit.
pub fn check_iccid(iccid: &str) -> Result<(), Wording> {
    if !all_digits(iccid) || !(19..=20).contains(&iccid.len()) {
        return Err(Wording::new(
            format!("ICCID {iccid:?} must be 19 or 20 digits."),
            format!("ICCID {iccid:?} muss 19 oder 20 Ziffern haben."),
        ));
    }
    if !luhn_valid(iccid) {
        return Err(Wording::new(
            format!("ICCID {iccid} has a wrong check digit (Luhn): check for a typing error."),
            format!("ICCID {iccid} hat eine falsche Prüfziffer (Luhn): Prüfen Sie sie auf einen Tippfehler."),
        ));
    }
    Ok(())
}

/// Checks an IMSI: up to 15 digits, a mobile country code in use (2xx to 7xx, the shared
/// international code 901 that global IoT networks use, or the test code 001), then the network
/// code and the subscriber number.
pub fn check_imsi(imsi: &str) -> Result<(), Wording> {
    if !all_digits(imsi) || !(6..=15).contains(&imsi.len()) {
        return Err(Wording::new(
            format!("IMSI {imsi:?} must be 6 to 15 digits."),
            format!("IMSI {imsi:?} muss 6 bis 15 Ziffern haben."),
        ));
    }
    let mcc = &imsi[..3];
    if !(matches!(imsi.as_bytes()[0], b'2'..=b'7') || mcc == "001" || mcc == "901") {
        return Err(Wording::new(
            format!("IMSI {imsi} starts with {mcc}, which is no mobile country code (MCC)."),
            format!("IMSI {imsi} beginnt mit {mcc}, einem Code, der keine Mobilfunk-Ländervorwahl (MCC) ist."),
        ));
    }
    Ok(())
}

/// Reads an MSISDN in E.164 (an optional `+`, then up to 15 digits, no leading zero).
pub fn normalize_msisdn(msisdn: &str) -> Result<String, Wording> {
    let digits = msisdn.strip_prefix('+').unwrap_or(msisdn);
    if !all_digits(digits) || !(7..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(Wording::new(
            format!("MSISDN {msisdn:?} must be an international number (E.164): 7 to 15 digits with the country code, no leading zero."),
            format!("MSISDN {msisdn:?} muss eine internationale Nummer sein (E.164): 7 bis 15 Ziffern mit Ländervorwahl, ohne führende Null."),
        ));
    }
    Ok(digits.to_owned())
}

struct StockRow {
    line: u64,
    product_id: i64,
    iccid: String,
    imsi: String,
    msisdn: Option<String>,
}

/// Loads SIMs into the tenant's stock from CSV (`iccid,imsi,msisdn,part_number`). All or
/// nothing: when any row is refused, nothing is written and every refused row is reported.
pub async fn import_csv(
    db: &DatabaseConnection,
    actor: &Actor,
    text: &str,
) -> DomainResult<ImportReport> {
    let tenant_id = policy::tenant_for(actor, Permission::ManageCatalog)?;
    // The report is the importing admin's to read.
    let say = |english: String, german: String| actor.language.pick(english, german);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            DomainError::invalid(
                "file",
                Wording::new(
                    format!("The first line must name the columns: {e}"),
                    format!("Die erste Zeile muss die Spalten benennen: {e}"),
                ),
            )
        })?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(iccid_at), Some(imsi_at), Some(part_at)) =
        (column("iccid"), column("imsi"), column("part_number"))
    else {
        return Err(DomainError::invalid(
            "file",
            Wording::new(
                "The first line must name the columns iccid, imsi, part_number and, optionally, msisdn.",
                "Die erste Zeile muss die Spalten iccid, imsi, part_number und, wenn gewünscht, msisdn benennen.",
            ),
        ));
    };
    let msisdn_at = column("msisdn");

    // Products are read before the write transaction: checking rows is the slow part.
    let products: HashMap<String, (i64, bool)> = {
        let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
        let rows = product::Entity::find()
            .filter(product::Column::TenantId.eq(tenant_id))
            .all(&txn)
            .await?;
        txn.commit().await?;
        rows.into_iter()
            .map(|p| (p.part_number.to_uppercase(), (p.id, p.status == "active")))
            .collect()
    };

    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen_iccid: HashMap<String, u64> = HashMap::new();
    let mut seen_imsi: HashMap<String, u64> = HashMap::new();
    let mut seen_msisdn: HashMap<String, u64> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        if index >= MAX_STOCK_ROWS {
            errors.push(RowError {
                line,
                message: say(
                    format!("A file may hold at most {MAX_STOCK_ROWS} SIMs; split it."),
                    format!("Eine Datei darf höchstens {MAX_STOCK_ROWS} SIMs enthalten; teilen Sie sie auf."),
                ),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                errors.push(RowError {
                    line,
                    message: say(
                        format!("Unreadable line: {e}"),
                        format!("Unlesbare Zeile: {e}"),
                    ),
                });
                continue;
            }
        };
        if record.iter().all(|field| field.is_empty()) {
            continue;
        }
        let field = |at: usize| record.get(at).unwrap_or_default();
        let mut problems = Vec::new();
        let iccid = field(iccid_at).to_owned();
        let imsi = field(imsi_at).to_owned();
        if let Err(message) = check_iccid(&iccid) {
            problems.push(message.in_locale(actor.language).to_owned());
        }
        if let Err(message) = check_imsi(&imsi) {
            problems.push(message.in_locale(actor.language).to_owned());
        }
        let msisdn = match msisdn_at.map(field).filter(|m| !m.is_empty()) {
            None => None,
            Some(raw) => match normalize_msisdn(raw) {
                Ok(msisdn) => Some(msisdn),
                Err(message) => {
                    problems.push(message.in_locale(actor.language).to_owned());
                    None
                }
            },
        };
        let part_number = field(part_at);
        let product_id = match products.get(&part_number.to_uppercase()) {
            Some((id, true)) => Some(*id),
            Some((_, false)) => {
                problems.push(say(
                    format!("Product {part_number} is retired."),
                    format!("Produkt {part_number} ist ausgelaufen."),
                ));
                None
            }
            None if part_number.is_empty() => {
                problems.push(say(
                    "Enter the product's part number.".to_owned(),
                    "Geben Sie die Artikelnummer des Produkts ein.".to_owned(),
                ));
                None
            }
            None => {
                problems.push(say(
                    format!("No product has the part number {part_number}."),
                    format!("Kein Produkt hat die Artikelnummer {part_number}."),
                ));
                None
            }
        };
        for (kind, value, seen) in [
            ("ICCID", Some(&iccid), &mut seen_iccid),
            ("IMSI", Some(&imsi), &mut seen_imsi),
            ("MSISDN", msisdn.as_ref(), &mut seen_msisdn),
        ] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                if let Some(first) = seen.insert(value.clone(), line) {
                    seen.insert(value.clone(), first);
                    problems.push(say(
                        format!("{kind} {value} repeats line {first}."),
                        format!("{kind} {value} wiederholt Zeile {first}."),
                    ));
                }
            }
        }
        match (problems.is_empty(), product_id) {
            (true, Some(product_id)) => rows.push(StockRow {
                line,
                product_id,
                iccid,
                imsi,
                msisdn,
            }),
            _ => errors.push(RowError {
                line,
                message: problems.join(" "),
            }),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(DomainError::invalid(
            "file",
            Wording::new("The file holds no SIMs.", "Die Datei enthält keine SIMs."),
        ));
    }

    let txn = begin_write(db, DataScope::Tenant(tenant_id)).await?;
    // Identities already in stock, looked up in chunks of the file's own values.
    for (kind, column, values) in [
        (
            "ICCID",
            sim_card::Column::Iccid,
            rows.iter()
                .map(|r| (r.iccid.clone(), r.line))
                .collect::<Vec<_>>(),
        ),
        (
            "IMSI",
            sim_card::Column::Imsi,
            rows.iter().map(|r| (r.imsi.clone(), r.line)).collect(),
        ),
        (
            "MSISDN",
            sim_card::Column::Msisdn,
            rows.iter()
                .filter_map(|r| Some((r.msisdn.clone()?, r.line)))
                .collect(),
        ),
    ] {
        let line_of: HashMap<&str, u64> = values.iter().map(|(v, l)| (v.as_str(), *l)).collect();
        for chunk in values.chunks(LOOKUP_CHUNK) {
            let existing: Vec<Option<String>> = sim_card::Entity::find()
                .select_only()
                .column(column)
                .filter(sim_card::Column::TenantId.eq(tenant_id))
                .filter(column.is_in(chunk.iter().map(|(v, _)| v.clone())))
                .into_tuple()
                .all(&txn)
                .await?;
            for value in existing.into_iter().flatten() {
                if let Some(line) = line_of.get(value.as_str()) {
                    errors.push(RowError {
                        line: *line,
                        message: say(
                            format!("{kind} {value} is already in stock."),
                            format!("{kind} {value} ist bereits im Bestand."),
                        ),
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Ok(ImportReport {
            created: 0,
            updated: 0,
            errors,
        });
    }

    let now = Utc::now();
    let created = rows.len() as u64;
    let mut products_loaded: HashSet<i64> = HashSet::new();
    for chunk in rows.chunks(INSERT_CHUNK) {
        let models = chunk.iter().map(|row| {
            products_loaded.insert(row.product_id);
            sim_card::ActiveModel {
                tenant_id: Set(tenant_id),
                product_id: Set(row.product_id),
                iccid: Set(row.iccid.clone()),
                imsi: Set(row.imsi.clone()),
                msisdn: Set(row.msisdn.clone()),
                status: Set(SimStatus::Free.as_str().to_owned()),
                loaded_at: Set(now),
                ..Default::default()
            }
        });
        sim_card::Entity::insert_many(models)
            .exec_without_returning(&txn)
            .await
            .map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    DomainError::conflict(Wording::new(
                        "Another upload loaded some of these SIMs at the same time; upload the file again to see which.",
                        "Ein anderer Upload hat einige dieser SIMs zur selben Zeit geladen; laden Sie die Datei erneut hoch, um zu sehen, welche.",
                    ))
                }
                _ => DomainError::Database(e),
            })?;
    }
    crate::audit::AuditEvent::new("stock.loaded", "sim_card")
        .scoped_to(actor)
        .details(serde_json::json!({ "sims": created, "products": products_loaded.len() }))
        .record(&txn, Some(actor.user_id))
        .await?;
    txn.commit().await?;
    Ok(ImportReport {
        created,
        updated: 0,
        errors: Vec::new(),
    })
}

#[derive(FromQueryResult)]
struct LevelRow {
    product_id: i64,
    status: String,
    count: i64,
}

/// Free and assigned SIMs per product of the actor's tenant.
pub async fn levels(db: &DatabaseConnection, actor: &Actor) -> DomainResult<Vec<StockLevel>> {
    let tenant_id = policy::tenant_for(actor, Permission::ReadCatalog)?;
    let txn = begin(db, DataScope::Tenant(tenant_id)).await?;
    let levels = tenant_levels(&txn, tenant_id).await?;
    txn.commit().await?;
    Ok(levels)
}

/// Free and assigned SIMs per product of a tenant, by product name, in the caller's transaction.
pub(crate) async fn tenant_levels(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
) -> DomainResult<Vec<StockLevel>> {
    let counts = sim_card::Entity::find()
        .select_only()
        .column(sim_card::Column::ProductId)
        .column(sim_card::Column::Status)
        .column_as(Expr::col(sim_card::Column::Id).count(), "count")
        .filter(sim_card::Column::TenantId.eq(tenant_id))
        .group_by(sim_card::Column::ProductId)
        .group_by(sim_card::Column::Status)
        .into_model::<LevelRow>()
        .all(txn)
        .await?;
    let products = product::Entity::find()
        .filter(product::Column::TenantId.eq(tenant_id))
        .all(txn)
        .await?;
    let mut levels: Vec<StockLevel> = products
        .into_iter()
        .map(|p| StockLevel {
            product_id: p.id,
            part_number: p.part_number,
            product_name: p.name,
            free: 0,
            assigned: 0,
        })
        .collect();
    for row in counts {
        if let Some(level) = levels.iter_mut().find(|l| l.product_id == row.product_id) {
            let count = u64::try_from(row.count).unwrap_or_default();
            if SimStatus::parse(&row.status) == Some(SimStatus::Free) {
                level.free += count;
            } else {
                level.assigned += count;
            }
        }
    }
    levels.sort_by(|a, b| a.product_name.cmp(&b.product_name));
    Ok(levels)
}

/// Free SIMs per product, for the plausibility check at submission: for each product, the
/// free count up to the quantity `needed`, so a check costs what the order asks for, not what
/// the stock holds (a million free SIMs would otherwise be counted for every order). A count
/// below the need is exact.
pub(crate) async fn free_up_to(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    needed: &HashMap<i64, i64>,
) -> DomainResult<HashMap<i64, i64>> {
    let mut free = HashMap::with_capacity(needed.len());
    for (&product_id, &quantity) in needed {
        let limit = u64::try_from(quantity).unwrap_or_default();
        let enough = sim_card::Entity::find()
            .select_only()
            .column(sim_card::Column::Id)
            .filter(sim_card::Column::TenantId.eq(tenant_id))
            .filter(sim_card::Column::ProductId.eq(product_id))
            .filter(sim_card::Column::Status.eq(SimStatus::Free.as_str()))
            .limit(limit)
            .into_query();
        let count = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(enough, Alias::new("free"))
            .to_owned();
        let row = db
            .query_one(db.get_database_backend().build(&count))
            .await?;
        let count = match row {
            Some(row) => row.try_get_by_index::<i64>(0)?,
            None => 0,
        };
        free.insert(product_id, count);
    }
    Ok(free)
}

/// Test data: `count` valid, distinct SIM identities starting at `first`.
pub fn sample_identities(first: u64, count: u64) -> Vec<(String, String, String)> {
    (first..first + count)
        .map(|n| {
            let body = format!("894900{n:012}");
            let check = (0..10)
                .find(|d| luhn_valid(&format!("{body}{d}")))
                .unwrap_or_default();
            (
                format!("{body}{check}"),
                format!("26201{n:010}"),
                format!("4915{n:09}"),
            )
        })
        .collect()
}

/// Returns a PO's SIMs to the free stock (when it is cancelled before READY).
pub(super) async fn release(
    txn: &DatabaseTransaction,
    po: &purchase_order::Model,
) -> DomainResult<()> {
    sim_card::Entity::update_many()
        .col_expr(
            sim_card::Column::Status,
            Expr::value(SimStatus::Free.as_str()),
        )
        .col_expr(
            sim_card::Column::AccountId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::PurchaseOrderId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::PurchaseOrderLineId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::BillingStatusId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::PricePlanId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::ServiceProfileId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::RoamingProfileId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::ApnGroupId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            sim_card::Column::AssignedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(sim_card::Column::TenantId.eq(po.tenant_id))
        .filter(sim_card::Column::PurchaseOrderId.eq(po.id))
        .exec(txn)
        .await?;
    purchase_order_line::Entity::update_many()
        .col_expr(
            purchase_order_line::Column::ProvisionedQuantity,
            Expr::value(0),
        )
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(po.id))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_checked_precisely() {
        let (iccid, imsi, msisdn) = sample_identities(7, 1).remove(0);
        assert_eq!(check_iccid(&iccid), Ok(()));
        assert_eq!(check_imsi(&imsi), Ok(()));
        assert_eq!(normalize_msisdn(&format!("+{msisdn}")), Ok(msisdn));
        let mut wrong = iccid.clone();
        let last = wrong.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
        wrong.push(char::from_digit((last + 1) % 10, 10).unwrap_or('0'));
        assert!(check_iccid(&wrong)
            .unwrap_err()
            .english
            .contains("check digit"));
        assert!(check_iccid("123")
            .unwrap_err()
            .english
            .contains("19 or 20 digits"));
        assert!(check_imsi("901280000000001").is_ok());
        assert!(check_imsi("999700000000001").is_err());
        assert!(check_imsi("0012345678").is_ok());
        assert!(check_imsi("2620112345678901").is_err());
        assert!(normalize_msisdn("0171 234").is_err());
        assert!(normalize_msisdn("01712345678").is_err());
    }

    #[test]
    fn luhn_matches_known_numbers() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(luhn_valid("89014103211118510720"));
    }
}
