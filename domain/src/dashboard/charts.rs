//! The dashboards' charts: what a provider and an account see at a glance. Each reads a window
//! of recent weeks or months in one query, grouped by the database where SQL is the same on
//! SQLite and PostgreSQL, and bucketed here where dates would need each database's own
//! functions.

use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef,
};
use simdesk_types::{
    Chart, ChartBar, ChartSeries, Locale, PoAction, PoStatus, ProductStatus, StockLevel,
};

use crate::entity::{
    account, product, purchase_order, purchase_order_event, purchase_order_line, sim_card, tenant,
};
use crate::{DomainError, DomainResult};

/// Weeks shown by the provider's weekly charts, this one included.
const WEEKS: u32 = 8;
/// Months shown by the account's monthly charts, this one included.
const MONTHS: u32 = 6;
/// Accounts in the provider's top list, and the days it looks back.
const TOP_ACCOUNTS: u64 = 5;
const TOP_ACCOUNTS_DAYS: i64 = 90;
/// Products on the stock chart, fewest free SIMs first.
const STOCK_PRODUCTS: usize = 12;

/// The statuses of an order the provider took on: what was bought.
const ORDERED: [PoStatus; 5] = [
    PoStatus::Accepted,
    PoStatus::Provisioning,
    PoStatus::Ready,
    PoStatus::Shipped,
    PoStatus::Closed,
];

/// The provider's view of orders by week: received orders grouped by where they stand, each
/// group's list behind its legend entry.
const RECEIVED_GROUPS: [([&str; 2], &[PoStatus]); 4] = [
    (["Submitted", "Eingereicht"], &[PoStatus::Submitted]),
    (
        ["In progress", "In Bearbeitung"],
        &[PoStatus::Accepted, PoStatus::Provisioning, PoStatus::Ready],
    ),
    (
        ["Shipped or closed", "Versandt oder abgeschlossen"],
        &[PoStatus::Shipped, PoStatus::Closed],
    ),
    (
        ["Rejected or cancelled", "Abgelehnt oder storniert"],
        &[PoStatus::Rejected, PoStatus::Cancelled],
    ),
];

/// Month names for the German labels (chrono formats English ones only).
const GERMAN_MONTHS: [&str; 12] = [
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
];

/// Consecutive periods, oldest first, each named by its first day.
struct Periods {
    starts: Vec<NaiveDate>,
    /// Weeks are named by their Monday's day and month, months by month and year.
    weekly: bool,
    language: Locale,
}

impl Periods {
    /// The last `WEEKS` weeks, Monday to Sunday, up to `today`'s.
    fn weeks(today: NaiveDate, language: Locale) -> Self {
        let this_week = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let first = this_week - Duration::weeks(i64::from(WEEKS - 1));
        Periods {
            starts: (0..WEEKS)
                .map(|n| first + Duration::weeks(i64::from(n)))
                .collect(),
            weekly: true,
            language,
        }
    }

    /// The last `MONTHS` calendar months, up to `today`'s.
    fn months(today: NaiveDate, language: Locale) -> Self {
        let this_month = today.with_day(1).unwrap_or(today);
        let first = this_month
            .checked_sub_months(Months::new(MONTHS - 1))
            .unwrap_or(this_month);
        Periods {
            starts: (0..MONTHS)
                .filter_map(|n| first.checked_add_months(Months::new(n)))
                .collect(),
            weekly: false,
            language,
        }
    }

    fn first_day(&self) -> NaiveDate {
        self.starts[0]
    }

    fn first_instant(&self) -> chrono::DateTime<Utc> {
        self.first_day().and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The period `day` falls in, if it is inside the window.
    fn index_of(&self, day: NaiveDate) -> Option<usize> {
        if day < self.first_day() {
            return None;
        }
        Some(self.starts.partition_point(|start| *start <= day) - 1)
    }

    fn labels(&self) -> impl Iterator<Item = String> + '_ {
        self.starts.iter().map(|start| {
            let german_month = GERMAN_MONTHS[start.month0() as usize];
            match (self.language, self.weekly) {
                (Locale::English, true) => start.format("%-d %b").to_string(),
                (Locale::English, false) => start.format("%b %Y").to_string(),
                (Locale::German, true) => format!("{}. {german_month}", start.day()),
                (Locale::German, false) => format!("{german_month} {}", start.year()),
            }
        })
    }

    /// One bar per period, with `series` values each.
    fn empty_bars(&self, series: usize) -> Vec<ChartBar> {
        self.labels()
            .map(|label| ChartBar {
                label,
                values: vec![0.0; series],
                href: None,
                flagged: false,
            })
            .collect()
    }
}

fn orders_link(status: PoStatus) -> String {
    orders_link_of(&[status])
}

/// The PO list of those in any of `statuses`: what a grouped series stands for.
fn orders_link_of(statuses: &[PoStatus]) -> String {
    let codes: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    format!("/orders?status={}", codes.join(","))
}

fn line_to_order() -> RelationDef {
    purchase_order_line::Entity::belongs_to(purchase_order::Entity)
        .from(purchase_order_line::Column::PurchaseOrderId)
        .to(purchase_order::Column::Id)
        .into()
}

fn order_to_account() -> RelationDef {
    purchase_order::Entity::belongs_to(account::Entity)
        .from(purchase_order::Column::AccountId)
        .to(account::Column::Id)
        .into()
}

fn sim_to_order() -> RelationDef {
    sim_card::Entity::belongs_to(purchase_order::Entity)
        .from(sim_card::Column::PurchaseOrderId)
        .to(purchase_order::Column::Id)
        .into()
}

/// The charts of a provider's staff.
pub(super) async fn provider(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    today: NaiveDate,
    language: Locale,
) -> DomainResult<Vec<Chart>> {
    let low_stock_threshold = tenant::Entity::find_by_id(tenant_id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound)?
        .low_stock_threshold;
    // Only products that can still be ordered: a retired one's empty stock is no warning.
    let active: Vec<i64> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .filter(product::Column::TenantId.eq(tenant_id))
        .filter(product::Column::Status.eq(ProductStatus::Active.as_str()))
        .into_tuple()
        .all(txn)
        .await?;
    let mut stock = crate::orders::stock::tenant_levels(txn, tenant_id).await?;
    stock.retain(|level| active.contains(&level.product_id));
    let weeks = Periods::weeks(today, language);
    Ok(vec![
        orders_per_week(txn, tenant_id, &weeks).await?,
        time_to_acceptance(txn, tenant_id, &weeks).await?,
        stock_per_product(stock, low_stock_threshold, language),
        top_accounts(txn, tenant_id, today, language).await?,
    ])
}

/// The charts of an account's users.
pub(super) async fn account(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
    today: NaiveDate,
    language: Locale,
) -> DomainResult<Vec<Chart>> {
    let months = Periods::months(today, language);
    Ok(vec![
        spend_per_month(txn, tenant_id, account_id, &months).await?,
        orders_by_status(txn, tenant_id, account_id, language).await?,
        sims_received(txn, tenant_id, account_id, &months).await?,
    ])
}

async fn orders_per_week(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    weeks: &Periods,
) -> DomainResult<Chart> {
    let lang = weeks.language;
    let received: Vec<PoStatus> = RECEIVED_GROUPS
        .iter()
        .flat_map(|(_, statuses)| statuses.iter().copied())
        .collect();
    // By the week an order was submitted: a draft is not yet received, whenever it was begun.
    let rows: Vec<(Option<chrono::DateTime<Utc>>, String)> = purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::SubmittedAt)
        .column(purchase_order::Column::Status)
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(purchase_order::Column::SubmittedAt.gte(weeks.first_instant()))
        .filter(purchase_order::Column::Status.is_in(received.iter().map(|s| s.as_str())))
        .into_tuple()
        .all(txn)
        .await?;
    let mut bars = weeks.empty_bars(RECEIVED_GROUPS.len());
    for (submitted_at, status) in rows {
        let group = RECEIVED_GROUPS
            .iter()
            .position(|(_, statuses)| statuses.iter().any(|s| s.as_str() == status));
        let week = submitted_at.and_then(|at| weeks.index_of(at.date_naive()));
        if let (Some(week), Some(group)) = (week, group) {
            bars[week].values[group] += 1.0;
        }
    }
    Ok(Chart {
        key: "orders-per-week".into(),
        title: lang
            .pick("Orders per week", "Bestellungen pro Woche")
            .into(),
        summary: lang.pick(
            format!(
                "Purchase orders submitted in each of the last {WEEKS} weeks (weeks from \
                 Monday, UTC), by where they stand now."
            ),
            format!(
                "Eingereichte Bestellungen in jeder der letzten {WEEKS} Wochen (Wochen ab \
                 Montag, UTC), nach ihrem heutigen Stand."
            ),
        ),
        href: "/orders".into(),
        unit: lang.pick("orders", "Bestellungen").into(),
        decimals: 0,
        series: RECEIVED_GROUPS
            .iter()
            .map(|([english, german], statuses)| ChartSeries {
                name: lang.pick(*english, *german).into(),
                href: Some(orders_link_of(statuses)),
            })
            .collect(),
        bars,
        threshold: None,
        warning: None,
    })
}

async fn time_to_acceptance(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    weeks: &Periods,
) -> DomainResult<Chart> {
    let lang = weeks.language;
    use purchase_order_event::Column as Event;
    let accepted_lately = Query::select()
        .column(Event::PurchaseOrderId)
        .from(purchase_order_event::Entity)
        .and_where(Event::TenantId.eq(tenant_id))
        .and_where(Event::Action.eq(PoAction::Accept.as_str()))
        .and_where(Event::At.gte(weeks.first_instant()))
        .to_owned();
    // The provider's wait starts when the order reached it (submitted, or approved and so
    // submitted), not at the purchaser's first submission: an approver's wait is not theirs.
    let rows: Vec<(i64, String, chrono::DateTime<Utc>)> = purchase_order_event::Entity::find()
        .select_only()
        .columns([Event::PurchaseOrderId, Event::ToStatus, Event::At])
        .filter(Event::TenantId.eq(tenant_id))
        .filter(Event::PurchaseOrderId.in_subquery(accepted_lately))
        .filter(
            Condition::any()
                .add(Event::Action.eq(PoAction::Accept.as_str()))
                .add(Event::ToStatus.eq(PoStatus::Submitted.as_str())),
        )
        .order_by_asc(Event::PurchaseOrderId)
        .order_by_asc(Event::At)
        .order_by_asc(Event::Id)
        .into_tuple()
        .all(txn)
        .await?;
    let mut hours_per_week: Vec<Vec<f64>> = vec![Vec::new(); weeks.starts.len()];
    let mut reached: Option<(i64, chrono::DateTime<Utc>)> = None;
    for (po_id, to_status, at) in rows {
        if to_status == PoStatus::Submitted.as_str() {
            reached = Some((po_id, at));
            continue;
        }
        // Otherwise an acceptance (the query's only other kind of row).
        let Some((_, reached_at)) = reached.filter(|(id, _)| *id == po_id) else {
            continue;
        };
        if let Some(week) = weeks.index_of(at.date_naive()) {
            let hours = (at - reached_at).num_seconds().max(0) as f64 / 3600.0;
            hours_per_week[week].push(hours);
        }
    }
    let mut bars = weeks.empty_bars(1);
    for (bar, hours) in bars.iter_mut().zip(hours_per_week) {
        bar.values[0] = median(hours);
    }
    Ok(Chart {
        key: "time-to-acceptance".into(),
        title: lang
            .pick(
                "Time from submission to acceptance",
                "Zeit von der Einreichung bis zur Annahme",
            )
            .into(),
        summary: lang.pick(
            format!(
                "The median hours from an order reaching the provider (submitted, or approved \
                 within the account) to its acceptance, by the week it was accepted, over the \
                 last {WEEKS} weeks; 0 where nothing was accepted."
            ),
            format!(
                "Der Median der Stunden, bis eine beim Anbieter eingegangene Bestellung \
                 (eingereicht oder im Kundenkonto freigegeben) angenommen wurde, nach der Woche \
                 der Annahme, über die letzten {WEEKS} Wochen; 0, wo nichts angenommen wurde."
            ),
        ),
        href: orders_link(PoStatus::Submitted),
        unit: lang.pick("hours", "Stunden").into(),
        decimals: 1,
        series: vec![ChartSeries {
            name: lang.pick("Median hours", "Median in Stunden").into(),
            href: None,
        }],
        bars,
        threshold: None,
        warning: None,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn stock_per_product(mut stock: Vec<StockLevel>, low_stock_threshold: i32, lang: Locale) -> Chart {
    let threshold = u64::try_from(low_stock_threshold).unwrap_or(0);
    let is_low = |level: &StockLevel| level.free < threshold;
    let low: Vec<String> = stock
        .iter()
        .filter(|level| is_low(level))
        .map(|level| level.product_name.clone())
        .collect();
    // The products that need stock first, then by name.
    stock.sort_by(|a, b| {
        a.free
            .cmp(&b.free)
            .then_with(|| a.product_name.cmp(&b.product_name))
    });
    let shown = stock.len().min(STOCK_PRODUCTS);
    let bars = stock
        .iter()
        .take(STOCK_PRODUCTS)
        .map(|level| ChartBar {
            label: level.product_name.clone(),
            values: vec![level.free as f64],
            href: Some("/stock".into()),
            flagged: is_low(level),
        })
        .collect();
    let warning = (!low.is_empty()).then(|| {
        let low = low.join(", ");
        lang.pick(
            format!("Low stock: fewer than {threshold} free SIMs of {low}."),
            format!("Niedriger Bestand: weniger als {threshold} freie SIMs von {low}."),
        )
    });
    Chart {
        key: "stock".into(),
        title: lang
            .pick("SIM stock per product", "SIM-Bestand pro Produkt")
            .into(),
        summary: match (threshold > 0, lang) {
            (true, Locale::English) => format!(
                "Free SIMs of {shown} products, fewest first; below {threshold} is low stock."
            ),
            (false, Locale::English) => format!("Free SIMs of {shown} products, fewest first."),
            (true, Locale::German) => format!(
                "Freie SIMs von {shown} Produkten, die wenigsten zuerst; unter {threshold} ist \
                 der Bestand niedrig."
            ),
            (false, Locale::German) => {
                format!("Freie SIMs von {shown} Produkten, die wenigsten zuerst.")
            }
        },
        href: "/stock".into(),
        unit: "SIMs".into(),
        decimals: 0,
        series: vec![ChartSeries {
            name: lang.pick("Free SIMs", "Freie SIMs").into(),
            href: Some("/stock".into()),
        }],
        bars,
        threshold: (threshold > 0).then_some(threshold as f64),
        warning,
    }
}

async fn top_accounts(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    today: NaiveDate,
    lang: Locale,
) -> DomainResult<Chart> {
    let since = (today - Duration::days(TOP_ACCOUNTS_DAYS))
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let rows: Vec<(i64, String, i64)> = purchase_order_line::Entity::find()
        .select_only()
        .column_as(
            Expr::col((purchase_order::Entity, purchase_order::Column::AccountId)),
            "account_id",
        )
        .column_as(Expr::col((account::Entity, account::Column::Name)), "name")
        .column_as(
            Expr::col((
                purchase_order_line::Entity,
                purchase_order_line::Column::Quantity,
            ))
            .sum()
            .cast_as(Alias::new("bigint")),
            "sims",
        )
        .join(JoinType::InnerJoin, line_to_order())
        .join(JoinType::InnerJoin, order_to_account())
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(purchase_order::Column::Status.is_in(ORDERED.iter().map(|s| s.as_str())))
        .filter(purchase_order::Column::SubmittedAt.gte(since))
        .group_by(purchase_order::Column::AccountId)
        .group_by(account::Column::Name)
        .order_by_desc(Expr::cust("sims"))
        .order_by_asc(account::Column::Name)
        .limit(TOP_ACCOUNTS)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(Chart {
        key: "top-accounts".into(),
        title: lang.pick("Top accounts", "Größte Kundenkonten").into(),
        summary: lang.pick(
            format!(
                "The {TOP_ACCOUNTS} accounts that ordered the most SIMs in the last \
                 {TOP_ACCOUNTS_DAYS} days, in orders the provider accepted."
            ),
            format!(
                "Die {TOP_ACCOUNTS} Kundenkonten, die in den letzten {TOP_ACCOUNTS_DAYS} Tagen \
                 die meisten SIMs bestellt haben, in vom Anbieter angenommenen Bestellungen."
            ),
        ),
        href: "/accounts".into(),
        unit: "SIMs".into(),
        decimals: 0,
        series: vec![ChartSeries {
            name: lang.pick("SIMs ordered", "Bestellte SIMs").into(),
            href: None,
        }],
        bars: rows
            .into_iter()
            .map(|(account_id, name, sims)| ChartBar {
                label: name,
                values: vec![sims as f64],
                href: Some(format!("/orders?account={account_id}")),
                flagged: false,
            })
            .collect(),
        threshold: None,
        warning: None,
    })
}

/// An accepted order's submission time, total in minor units, currency and approver.
type SpendRow = (Option<chrono::DateTime<Utc>>, i64, String, Option<i64>);

async fn spend_per_month(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
    months: &Periods,
) -> DomainResult<Chart> {
    let lang = months.language;
    let rows: Vec<SpendRow> = purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::SubmittedAt)
        .column(purchase_order::Column::TotalMinor)
        .column(purchase_order::Column::Currency)
        .column(purchase_order::Column::ApprovedBy)
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(purchase_order::Column::AccountId.eq(account_id))
        .filter(purchase_order::Column::Status.is_in(ORDERED.iter().map(|s| s.as_str())))
        .filter(purchase_order::Column::SubmittedAt.gte(months.first_instant()))
        .into_tuple()
        .all(txn)
        .await?;
    // One currency per chart: the account's usual one (orders in others are left out).
    let currency = most_common(rows.iter().map(|(_, _, currency, _)| currency.as_str()))
        .unwrap_or_default()
        .to_owned();
    let digits = crate::money::minor_digits(&currency);
    let scale = 10_f64.powi(i32::try_from(digits).unwrap_or(2));
    // Summed in minor units, turned into amounts once per bar.
    let mut minor = vec![[0_i64; 2]; months.starts.len()];
    for (submitted_at, total_minor, row_currency, approved_by) in rows {
        if row_currency != currency {
            continue;
        }
        if let Some(month) = submitted_at.and_then(|at| months.index_of(at.date_naive())) {
            let series = usize::from(approved_by.is_some());
            minor[month][series] = minor[month][series].saturating_add(total_minor);
        }
    }
    let mut bars = months.empty_bars(2);
    for (bar, sums) in bars.iter_mut().zip(minor) {
        for (value, sum) in bar.values.iter_mut().zip(sums) {
            *value = sum as f64 / scale;
        }
    }
    Ok(Chart {
        key: "spend-per-month".into(),
        title: lang.pick("Spend per month", "Ausgaben pro Monat").into(),
        summary: lang.pick(
            format!(
                "What the account ordered in each of the last {MONTHS} months, in orders the \
                 provider accepted: within the purchasers' spending limits, and above a limit \
                 with an approver's consent."
            ),
            format!(
                "Was das Kundenkonto in jedem der letzten {MONTHS} Monate bestellt hat, in vom \
                 Anbieter angenommenen Bestellungen: innerhalb der Ausgabengrenzen des Einkaufs \
                 und, mit Zustimmung einer Freigabe, über einer Grenze."
            ),
        ),
        href: orders_link_of(&ORDERED),
        unit: if currency.is_empty() {
            "EUR".into()
        } else {
            currency
        },
        decimals: u8::try_from(digits).unwrap_or(2),
        series: vec![
            ChartSeries {
                name: lang
                    .pick("Within spending limits", "Innerhalb der Ausgabengrenzen")
                    .into(),
                href: None,
            },
            ChartSeries {
                name: lang
                    .pick("Approved above a limit", "Über einer Grenze freigegeben")
                    .into(),
                href: None,
            },
        ],
        bars,
        threshold: None,
        warning: None,
    })
}

fn most_common<'a>(values: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for value in values {
        match counts.iter_mut().find(|(seen, _)| *seen == value) {
            Some((_, count)) => *count += 1,
            None => counts.push((value, 1)),
        }
    }
    // The most frequent; of equally frequent ones the first in order, so the choice is stable.
    counts
        .into_iter()
        .max_by(|(a, a_count), (b, b_count)| a_count.cmp(b_count).then_with(|| b.cmp(a)))
        .map(|(value, _)| value)
}

async fn orders_by_status(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
    lang: Locale,
) -> DomainResult<Chart> {
    let counts: Vec<(String, i64)> = purchase_order::Entity::find()
        .select_only()
        .column(purchase_order::Column::Status)
        .column_as(Expr::col(purchase_order::Column::Id).count(), "count")
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(purchase_order::Column::AccountId.eq(account_id))
        .group_by(purchase_order::Column::Status)
        .into_tuple()
        .all(txn)
        .await?;
    let bars = PoStatus::ALL
        .iter()
        .filter_map(|status| {
            let count = counts
                .iter()
                .find(|(code, _)| code == status.as_str())
                .map(|(_, count)| *count)?;
            Some(ChartBar {
                label: status.label_in(lang).into(),
                values: vec![count as f64],
                href: Some(orders_link(*status)),
                flagged: false,
            })
        })
        .collect();
    Ok(Chart {
        key: "orders-by-status".into(),
        title: lang
            .pick("Orders by status", "Bestellungen nach Status")
            .into(),
        summary: lang
            .pick(
                "The account's purchase orders by where they stand now.",
                "Die Bestellungen des Kundenkontos nach ihrem heutigen Stand.",
            )
            .into(),
        href: "/orders".into(),
        unit: lang.pick("orders", "Bestellungen").into(),
        decimals: 0,
        series: vec![ChartSeries {
            name: lang.pick("Orders", "Bestellungen").into(),
            href: None,
        }],
        bars,
        threshold: None,
        warning: None,
    })
}

async fn sims_received(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    account_id: i64,
    months: &Periods,
) -> DomainResult<Chart> {
    let lang = months.language;
    let rows: Vec<(NaiveDate, i64)> = sim_card::Entity::find()
        .select_only()
        .column_as(
            Expr::col((purchase_order::Entity, purchase_order::Column::ShippedOn)),
            "shipped_on",
        )
        .column_as(
            Expr::col((sim_card::Entity, sim_card::Column::Id)).count(),
            "sims",
        )
        .join(JoinType::InnerJoin, sim_to_order())
        .filter(purchase_order::Column::TenantId.eq(tenant_id))
        .filter(purchase_order::Column::AccountId.eq(account_id))
        .filter(purchase_order::Column::ShippedOn.gte(months.first_day()))
        .group_by(purchase_order::Column::ShippedOn)
        .into_tuple()
        .all(txn)
        .await?;
    let mut bars = months.empty_bars(1);
    for (shipped_on, sims) in rows {
        if let Some(month) = months.index_of(shipped_on) {
            bars[month].values[0] += sims as f64;
        }
    }
    Ok(Chart {
        key: "sims-received".into(),
        title: lang.pick("SIMs received", "Erhaltene SIMs").into(),
        summary: lang.pick(
            format!("SIMs shipped to the account in each of the last {MONTHS} months."),
            format!("An das Kundenkonto versandte SIMs in jedem der letzten {MONTHS} Monate."),
        ),
        href: orders_link_of(&[PoStatus::Shipped, PoStatus::Closed]),
        unit: "SIMs".into(),
        decimals: 0,
        series: vec![ChartSeries {
            name: lang.pick("SIMs shipped", "Versandte SIMs").into(),
            href: None,
        }],
        bars,
        threshold: None,
        warning: None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_most_common_currency_is_chosen_the_same_way_every_time() {
        assert_eq!(most_common(["EUR", "CHF", "EUR"].into_iter()), Some("EUR"));
        assert_eq!(most_common(["EUR", "CHF"].into_iter()), Some("CHF"));
        assert_eq!(most_common(["CHF", "EUR"].into_iter()), Some("CHF"));
        assert_eq!(most_common([].into_iter()), None);
    }

    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_end_with_this_one() {
        let weeks = Periods::weeks(day("2026-12-06"), Locale::English); // a Sunday
        assert_eq!(weeks.starts.len(), WEEKS as usize);
        assert_eq!(weeks.starts[7], day("2026-11-30"));
        assert_eq!(weeks.first_day(), day("2026-10-12"));
        assert_eq!(weeks.index_of(day("2026-12-06")), Some(7));
        assert_eq!(weeks.index_of(day("2026-11-29")), Some(6));
        assert_eq!(weeks.index_of(day("2026-10-12")), Some(0));
        assert_eq!(weeks.index_of(day("2026-10-11")), None);
        assert_eq!(weeks.labels().last().unwrap(), "30 Nov");
    }

    #[test]
    fn months_cross_the_year() {
        let months = Periods::months(day("2027-02-15"), Locale::English);
        assert_eq!(months.first_day(), day("2026-09-01"));
        assert_eq!(months.index_of(day("2027-01-31")), Some(4));
        assert_eq!(months.labels().collect::<Vec<_>>()[3], "Dec 2026");
    }

    #[test]
    fn the_median_of_even_and_odd_counts() {
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn low_stock_is_flagged_and_named_first() {
        let level = |name: &str, free| StockLevel {
            product_id: 1,
            part_number: name.into(),
            product_name: name.into(),
            free,
            assigned: 0,
        };
        let chart = stock_per_product(
            vec![level("B", 500), level("A", 20), level("C", 99)],
            100,
            Locale::English,
        );
        let labels: Vec<_> = chart
            .bars
            .iter()
            .map(|b| (b.label.as_str(), b.flagged))
            .collect();
        assert_eq!(labels, [("A", true), ("C", true), ("B", false)]);
        assert_eq!(
            chart.warning.as_deref(),
            Some("Low stock: fewer than 100 free SIMs of A, C.")
        );
        let unwatched = stock_per_product(vec![level("A", 0)], 0, Locale::English);
        assert!(unwatched.warning.is_none() && unwatched.threshold.is_none());
        assert!(!unwatched.bars[0].flagged);
    }
}
