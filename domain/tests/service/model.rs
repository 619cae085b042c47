//! A model-based test of the purchase-order life cycle: random sequences of (actor, action)
//! pairs, legal and illegal, are run against the real services and a real database, and every
//! answer is compared with a reference model written here, independently of
//! `orders::workflow`, as a plain table of rules.
//!
//! One database (with the demo seeded and extra SIM stock) serves every generated case; each
//! case works on a PO of its own. Every attempt passes the PO's current version, and a reason
//! for the steps that need one (reject, decline), so that only the workflow can refuse it.

use crate::support::*;
use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use simdesk_domain::db::{begin, DataScope};
use simdesk_domain::entity::{purchase_order, purchase_order_line, sim_card};
use simdesk_domain::orders::provisioning::{self, Source};
use simdesk_domain::orders::{self as service, stock};
use simdesk_domain::testing::TestDatabase;
use simdesk_domain::{Actor, DomainError, DomainResult};
use simdesk_types::{PoAction, PoDetail, PoInput, PoStatus, ShipmentInput};
use std::collections::HashMap;
use std::sync::OnceLock;
use tokio::runtime::Runtime;

/// SIMs per generated PO.
const QUANTITY: u64 = 10;
/// Extra nano SIMs loaded at setup: one provisioning of `QUANTITY` per case is the most a case
/// can take (a READY PO keeps its SIMs), and 48 cases plus 200 shrinking runs need 2,480.
const EXTRA_STOCK: u64 = 2_500;
/// Far above the demo's identities (1..=1000) and the other tests' (700,000, 900,000).
const FIRST_IDENTITY: u64 = 5_000_000;

// ---------------------------------------------------------------------------------------------
// The reference model

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    /// Raised the PO (Hafenlogistik).
    Purchaser,
    /// Hafenlogistik's approver.
    Approver,
    /// The provider's (Nordwind's) agent.
    Agent,
    /// Hafenlogistik's viewer: sees the PO, may do nothing to it.
    Viewer,
    /// Another tenant's account user.
    LakesidePurchaser,
    /// The same tenant, another account.
    BergbahnAdmin,
    /// Another tenant's agent.
    AlpinaAgent,
}

const EVERYONE: [Who; 7] = [
    Who::Purchaser,
    Who::Approver,
    Who::Agent,
    Who::Viewer,
    Who::LakesidePurchaser,
    Who::BergbahnAdmin,
    Who::AlpinaAgent,
];

impl Who {
    fn email(self) -> &'static str {
        match self {
            Who::Purchaser => HAFEN_PURCHASER,
            Who::Approver => HAFEN_APPROVER,
            Who::Agent => NORDWIND_AGENT,
            Who::Viewer => HAFEN_VIEWER,
            Who::LakesidePurchaser => LAKESIDE_PURCHASER,
            Who::BergbahnAdmin => BERGBAHN_ADMIN,
            Who::AlpinaAgent => ALPINA_AGENT,
        }
    }

    /// Outside the PO's tenant or account: the PO does not exist for them.
    fn outsider(self) -> bool {
        matches!(
            self,
            Who::LakesidePurchaser | Who::BergbahnAdmin | Who::AlpinaAgent
        )
    }
}

/// What they try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Submit,
    Approve,
    Decline,
    Accept,
    Reject,
    Reopen,
    Cancel,
    ConfirmReceipt,
    /// `provisioning::provision` from stock.
    Provision,
    /// `orders::ship` with a valid shipment.
    Ship,
}

const STEPS: [Step; 10] = [
    Step::Submit,
    Step::Approve,
    Step::Decline,
    Step::Accept,
    Step::Reject,
    Step::Reopen,
    Step::Cancel,
    Step::ConfirmReceipt,
    Step::Provision,
    Step::Ship,
];

impl Step {
    /// How the step shows in the PO's timeline.
    fn action(self) -> PoAction {
        match self {
            Step::Submit => PoAction::Submit,
            Step::Approve => PoAction::Approve,
            Step::Decline => PoAction::Decline,
            Step::Accept => PoAction::Accept,
            Step::Reject => PoAction::Reject,
            Step::Reopen => PoAction::Reopen,
            Step::Cancel => PoAction::Cancel,
            Step::ConfirmReceipt => PoAction::ConfirmReceipt,
            Step::Provision => PoAction::Provision,
            Step::Ship => PoAction::Ship,
        }
    }
}

/// One generated transition: someone tries something, allowed or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attempt {
    who: Who,
    step: Step,
}

/// What a service call answers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Moved(PoStatus),
    NotFound,
    Forbidden,
    /// Refused for the PO's status (not for a stale version: the test always passes the
    /// current one).
    WrongStatus,
    /// Anything else; never expected.
    Unexpected(String),
}

impl Outcome {
    fn of(result: DomainResult<PoStatus>) -> Outcome {
        match result {
            Ok(status) => Outcome::Moved(status),
            Err(DomainError::NotFound) => Outcome::NotFound,
            Err(DomainError::Forbidden) => Outcome::Forbidden,
            Err(DomainError::Conflict(message))
                if message.english.starts_with("This purchase order is") =>
            {
                Outcome::WrongStatus
            }
            Err(other) => Outcome::Unexpected(format!("{other:?}")),
        }
    }
}

/// The rules, as the product describes them: who may do what from which status, and to which
/// status it leads. Everything not listed is refused and changes nothing.
fn rule(who: Who, step: Step, status: PoStatus, over_limit: bool) -> Outcome {
    use PoStatus::*;
    if who.outsider() {
        return Outcome::NotFound;
    }
    let (from, to): (&[PoStatus], PoStatus) = match (who, step) {
        (Who::Purchaser, Step::Submit) => (
            &[Draft],
            if over_limit {
                AwaitingApproval
            } else {
                Submitted
            },
        ),
        (Who::Agent, Step::Submit) => (&[Draft], Submitted),
        (Who::Approver, Step::Approve) => (&[AwaitingApproval], Submitted),
        (Who::Approver, Step::Decline) => (&[AwaitingApproval], Draft),
        (Who::Agent, Step::Accept) => (&[Submitted], Accepted),
        (Who::Agent, Step::Reject) => (&[Submitted], Rejected),
        (Who::Agent, Step::Provision) => (&[Accepted, Provisioning], Ready),
        (Who::Agent, Step::Ship) => (&[Ready], Shipped),
        (Who::Agent, Step::Reopen) => (&[Rejected], Draft),
        (Who::Agent, Step::Cancel) => (
            &[
                Draft,
                AwaitingApproval,
                Submitted,
                Rejected,
                Accepted,
                Provisioning,
            ],
            Cancelled,
        ),
        (Who::Purchaser, Step::Reopen) => (&[Rejected, Submitted, AwaitingApproval], Draft),
        (Who::Purchaser, Step::Cancel) => {
            (&[Draft, AwaitingApproval, Submitted, Rejected], Cancelled)
        }
        (Who::Purchaser, Step::ConfirmReceipt) => (&[Shipped], Closed),
        _ => return Outcome::Forbidden,
    };
    if from.contains(&status) {
        Outcome::Moved(to)
    } else {
        Outcome::WrongStatus
    }
}

/// The reference state of one PO.
#[derive(Debug, Clone)]
struct Model {
    /// The purchaser's spending limit is below the PO's total.
    over_limit: bool,
    status: PoStatus,
    /// Accepted at some point: the PO has its number for good.
    accepted: bool,
    /// (action, from, to) of every step taken, the creation first.
    timeline: Vec<(PoAction, Option<PoStatus>, PoStatus)>,
    /// What the last attempt should have answered.
    expected: Option<Outcome>,
}

impl Model {
    fn legal_attempts(&self) -> Vec<Attempt> {
        EVERYONE
            .iter()
            .flat_map(|who| STEPS.iter().map(move |step| (*who, *step)))
            .filter(|(who, step)| {
                matches!(
                    rule(*who, *step, self.status, self.over_limit),
                    Outcome::Moved(_)
                )
            })
            .map(|(who, step)| Attempt { who, step })
            .collect()
    }

    /// SIMs the PO holds: all of them once provisioned (from stock, which suffices), none
    /// before or after cancelling.
    fn sims(&self) -> u64 {
        match self.status {
            PoStatus::Ready | PoStatus::Shipped | PoStatus::Closed => QUANTITY,
            _ => 0,
        }
    }
}

struct PoMachine;

impl ReferenceStateMachine for PoMachine {
    type State = Model;
    type Transition = Attempt;

    fn init_state() -> BoxedStrategy<Model> {
        any::<bool>()
            .prop_map(|over_limit| Model {
                over_limit,
                status: PoStatus::Draft,
                accepted: false,
                timeline: vec![(PoAction::Create, None, PoStatus::Draft)],
                expected: None,
            })
            .boxed()
    }

    /// Half of the time any pair at all (insiders four times as often as outsiders), else a
    /// step forward or back that the model allows now, so that the cases also reach the late
    /// statuses instead of being cancelled early. No preconditions: shrinking may turn a legal
    /// attempt into an illegal one, which must then be refused.
    fn transitions(state: &Model) -> BoxedStrategy<Attempt> {
        let (outsiders, insiders): (Vec<Who>, Vec<Who>) =
            EVERYONE.iter().partition(|who| who.outsider());
        let any_attempt = (
            prop_oneof![
                4 => proptest::sample::select(insiders),
                1 => proptest::sample::select(outsiders),
            ],
            proptest::sample::select(STEPS.to_vec()),
        )
            .prop_map(|(who, step)| Attempt { who, step });
        let mut legal = state.legal_attempts();
        legal.retain(|attempt| attempt.step != Step::Cancel);
        if legal.is_empty() {
            any_attempt.boxed()
        } else {
            prop_oneof![any_attempt, proptest::sample::select(legal)].boxed()
        }
    }

    fn apply(mut state: Model, attempt: &Attempt) -> Model {
        let outcome = rule(attempt.who, attempt.step, state.status, state.over_limit);
        if let Outcome::Moved(to) = outcome {
            state
                .timeline
                .push((attempt.step.action(), Some(state.status), to));
            state.status = to;
            state.accepted |= to == PoStatus::Accepted;
        }
        state.expected = Some(outcome);
        state
    }
}

// ---------------------------------------------------------------------------------------------
// The system under test

/// The database and everything the cases share, made once per test process.
struct Shared {
    runtime: Runtime,
    t: TestDatabase,
    actors: HashMap<Who, Actor>,
    account_admin: Actor,
    input: PoInput,
}

/// `None` when the setup failed: the cases then fail at once instead of each setting up again.
static SHARED: OnceLock<Option<Shared>> = OnceLock::new();

fn shared() -> &'static Shared {
    SHARED
        .get_or_init(|| std::panic::catch_unwind(setup).ok())
        .as_ref()
        .expect("the shared database could be set up (see the first panic)")
}

fn setup() -> Shared {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let (t, actors, account_admin, input) = runtime.block_on(async {
        let t = full_demo_db().await;
        let mut actors = HashMap::new();
        for who in EVERYONE {
            actors.insert(who, actor(&t, who.email()).await);
        }
        let account_admin = actor(&t, HAFEN_ADMIN).await;
        let purchaser = &actors[&Who::Purchaser];
        let input = crate::orders::po_input(&t, purchaser, QUANTITY as u32).await;
        let form = service::form_data(&t.db, purchaser, None, None)
            .await
            .unwrap();
        let nano = form
            .products
            .iter()
            .find(|p| Some(p.product_id) == input.lines[0].product_id)
            .expect("the ordered product");
        // The over-limit cases rely on the total exceeding 10.00.
        assert!(nano.price.minor * QUANTITY as i64 > 1_000);
        let mut csv = String::from("iccid,imsi,msisdn,part_number\n");
        for (iccid, imsi, msisdn) in stock::sample_identities(FIRST_IDENTITY, EXTRA_STOCK) {
            csv.push_str(&format!("{iccid},{imsi},{msisdn},{}\n", nano.part_number));
        }
        let tenant_admin = actor(&t, NORDWIND_ADMIN).await;
        let report = stock::import_csv(&t.db, &tenant_admin, &csv).await.unwrap();
        assert_eq!(report.created, EXTRA_STOCK, "{:?}", report.errors);
        (t, actors, account_admin, input)
    });
    Shared {
        runtime,
        t,
        actors,
        account_admin,
        input,
    }
}

impl Shared {
    /// The PO as the provider's agent sees it (SIMs included in every status).
    fn read(&self, po_id: i64) -> PoDetail {
        self.runtime
            .block_on(service::detail(
                &self.t.db,
                &self.actors[&Who::Agent],
                po_id,
            ))
            .expect("the agent reads the PO")
    }

    fn attempt(&self, po: &PoDetail, attempt: Attempt) -> DomainResult<PoStatus> {
        let db = &self.t.db;
        let actor = &self.actors[&attempt.who];
        self.runtime.block_on(async {
            match attempt.step {
                Step::Provision => {
                    provisioning::provision(db, actor, po.id, po.version, Source::Stock).await
                }
                Step::Ship => {
                    let shipment = ShipmentInput {
                        carrier: "DHL".into(),
                        tracking_number: "JD014600006281230704".into(),
                        shipped_on: chrono::Utc::now().date_naive().to_string(),
                    };
                    service::ship(db, actor, po.id, po.version, shipment).await
                }
                step => {
                    let action = step.action();
                    let reason = if action.needs_reason() {
                        "Not this quarter"
                    } else {
                        ""
                    };
                    service::act(db, actor, po.id, po.version, action, reason).await
                }
            }
        })
    }

    /// The counts per status beside the PO lists (kept by database triggers) are those of
    /// the orders themselves: the provider's over the tenant, an account's over its own.
    fn check_counts(&self) {
        self.runtime.block_on(async {
            for who in [Who::Agent, Who::Purchaser] {
                let actor = &self.actors[&who];
                let listed = service::list(
                    &self.t.db,
                    actor,
                    service::PoQuery {
                        limit: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                let mut shown: Vec<(String, i64)> = listed
                    .counts
                    .iter()
                    .map(|c| (c.status.as_str().to_owned(), c.count as i64))
                    .collect();
                let txn = begin(&self.t.db, DataScope::System).await.unwrap();
                let mut orders = purchase_order::Entity::find()
                    .select_only()
                    .column(purchase_order::Column::Status)
                    .column_as(Expr::col(purchase_order::Column::Id).count(), "n")
                    .filter(purchase_order::Column::TenantId.eq(actor.tenant_id.unwrap()))
                    .group_by(purchase_order::Column::Status);
                if let Some(account) = actor.account_id {
                    orders = orders.filter(purchase_order::Column::AccountId.eq(account));
                }
                let mut counted: Vec<(String, i64)> = orders.into_tuple().all(&txn).await.unwrap();
                shown.sort();
                counted.sort();
                assert_eq!(shown, counted, "counts per status shown to {who:?}");
            }
        })
    }

    /// No SIM is counted for two POs: the SIMs pointing at each PO are exactly those its lines
    /// count as provisioned, and a SIM is assigned exactly when it points at a PO.
    fn check_stock(&self) {
        self.runtime.block_on(async {
            let txn = begin(&self.t.db, DataScope::System).await.unwrap();
            let mut held: Vec<(i64, i64)> = sim_card::Entity::find()
                .select_only()
                .column(sim_card::Column::PurchaseOrderId)
                .column_as(Expr::col(sim_card::Column::Id).count(), "sims")
                .filter(sim_card::Column::PurchaseOrderId.is_not_null())
                .group_by(sim_card::Column::PurchaseOrderId)
                .into_tuple()
                .all(&txn)
                .await
                .unwrap();
            let mut counted: Vec<(i64, i64)> = purchase_order_line::Entity::find()
                .select_only()
                .column(purchase_order_line::Column::PurchaseOrderId)
                .column_as(
                    Expr::col(purchase_order_line::Column::ProvisionedQuantity).sum(),
                    "sims",
                )
                .group_by(purchase_order_line::Column::PurchaseOrderId)
                .into_tuple()
                .all(&txn)
                .await
                .unwrap();
            counted.retain(|(_, sims)| *sims > 0);
            held.sort_unstable();
            counted.sort_unstable();
            assert_eq!(held, counted, "SIMs held per PO vs. provisioned per PO");
            let inconsistent = sim_card::Entity::find()
                .filter(
                    sea_orm::Condition::any()
                        .add(
                            sea_orm::Condition::all()
                                .add(sim_card::Column::Status.eq("assigned"))
                                .add(sim_card::Column::PurchaseOrderId.is_null()),
                        )
                        .add(
                            sea_orm::Condition::all()
                                .add(sim_card::Column::Status.ne("assigned"))
                                .add(sim_card::Column::PurchaseOrderId.is_not_null()),
                        ),
                )
                .count(&txn)
                .await
                .unwrap();
            assert_eq!(inconsistent, 0, "SIMs whose status and PO disagree");
        });
    }
}

/// One case's PO, as last read back, and what the last attempt answered.
struct Sut {
    po: PoDetail,
    last: Option<(Attempt, Outcome)>,
}

struct PoLifeCycle;

impl StateMachineTest for PoLifeCycle {
    type SystemUnderTest = Sut;
    type Reference = PoMachine;

    fn init_test(model: &Model) -> Sut {
        let s = shared();
        let purchaser = &s.actors[&Who::Purchaser];
        let id = s.runtime.block_on(async {
            let limit = if model.over_limit { "10.00" } else { "" };
            service::set_spending_limit(&s.t.db, &s.account_admin, purchaser.user_id, limit, "EUR")
                .await
                .unwrap();
            service::create_draft(&s.t.db, purchaser, s.input.clone())
                .await
                .unwrap()
        });
        Sut {
            po: s.read(id),
            last: None,
        }
    }

    fn apply(mut sut: Sut, _model: &Model, attempt: Attempt) -> Sut {
        let s = shared();
        let outcome = Outcome::of(s.attempt(&sut.po, attempt));
        sut.po = s.read(sut.po.id);
        sut.last = Some((attempt, outcome));
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        let po = &sut.po;
        if let Some((attempt, outcome)) = &sut.last {
            assert_eq!(
                Some(outcome),
                model.expected.as_ref(),
                "{attempt:?} answered {outcome:?}; the model expected {:?} (model {model:?})",
                model.expected
            );
        }
        assert_eq!(
            po.status, model.status,
            "status read back (model {model:?})"
        );
        assert_eq!(
            po.po_number.is_some(),
            model.accepted,
            "PO number {:?} (model {model:?})",
            po.po_number
        );
        assert_eq!(
            po.sim_count,
            model.sims(),
            "SIMs assigned to the PO (model {model:?})"
        );
        let timeline: Vec<(PoAction, Option<PoStatus>, PoStatus)> = po
            .timeline
            .iter()
            .map(|e| (e.action, e.from_status, e.to_status))
            .collect();
        assert_eq!(po.timeline.len(), model.timeline.len(), "timeline length");
        assert_eq!(timeline, model.timeline, "timeline");
        assert_eq!(
            po.version as usize,
            model.timeline.len(),
            "one version per status change"
        );
    }

    fn teardown(_sut: Sut, _model: Model) {
        shared().check_stock();
        shared().check_counts();
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: 48,
        max_shrink_iters: 200,
        failure_persistence: None,
        .. Config::default()
    })]

    fn run_the_model(sequential 1..20 => PoLifeCycle);
}

#[test]
fn purchase_orders_follow_the_reference_model() {
    let outcome = std::panic::catch_unwind(run_the_model);
    // The shared database lives in a static, which is never dropped: remove its SQLite file
    // here (a PostgreSQL test database is dropped by the next test process).
    if let Some(Some(s)) = SHARED.get() {
        s.runtime.block_on(s.t.db.clone().close()).ok();
        let path = s.t.url.strip_prefix("sqlite://").map(|rest| {
            std::path::PathBuf::from(rest.split_once('?').map_or(rest, |(path, _)| path))
        });
        let temp = std::env::temp_dir();
        if let Some(dir) = path.as_deref().and_then(std::path::Path::parent) {
            if dir.starts_with(&temp) && dir != temp {
                std::fs::remove_dir_all(dir).ok();
            }
        }
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
