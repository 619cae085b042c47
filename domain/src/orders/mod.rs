//! SIM purchase orders: drafts with overridable defaults, submission with spending limits and
//! plausibility checks, the provider's review, provisioning from stock, shipping and closing.
//! Every status change goes through [`workflow::step`] and [`transition::transition`], which
//! guard it with the PO's version and carry out what the workflow's row says follows.
//!
//! Where a use case lives:
//! - [`workflow`]: the state machine and each event's consequences (pure, no I/O);
//! - [`scope`]: loading a PO the actor may see, with their capacity on it;
//! - [`transition`]: carrying out one step and its consequences; [`notify`]: who hears of it;
//! - [`draft`] and [`sim_settings`]: raising and editing a PO;
//! - [`steps`]: the people's steps (submit … confirm receipt, ship); [`provisioning`]: SIMs;
//! - [`plausibility`]: the provider's checks; [`read`]: the PO page, CSV and the list;
//! - [`procurement`]: POs driven by a procurement system; [`from_email`]: drafts made of
//!   order e-mails; [`stock`]: the SIM stock;
//!   [`spending`]: purchasers' spending limits.

pub mod draft;
mod from_email;
mod notify;
pub mod plausibility;
pub mod procurement;
pub mod provisioning;
pub mod read;
mod scope;
pub mod sim_settings;
pub mod spending;
pub mod steps;
pub mod stock;
mod transition;
pub mod workflow;

pub use draft::{create_draft, form_data, update_draft};
pub(crate) use from_email::create_from_email;
pub(crate) use notify::reference_of;
pub use read::{detail, list, sims, sims_csv, PoQuery, PAGE_SIZE};
pub(crate) use scope::status_of;
pub use spending::set_spending_limit;
pub use steps::{act, ship};
