//! E-mail: what simdesk tells people, queued durably in the step's own transaction and
//! written from templates with the tenant's branding. The SMTP transport is the server's
//! (`server/src/workers/mail_delivery.rs`); this module knows nothing of it.
//!
//! - [`compose`]: the templates, the tenant's branding, the snapshot an e-mail reports.
//! - [`queue`]: queueing, claiming for an attempt, recording its outcome.
//! - [`preferences`]: which topics each user gets.

pub mod compose;
pub mod preferences;
pub mod queue;

pub use compose::{
    AlarmMail, Bodies, Branding, InvitationMail, MailContext, PasswordResetMail, PoMail,
    PoMailLine, Portal,
};
pub(crate) use queue::queue_rows;
pub use queue::{
    claim, due, enqueue, enqueue_all, record_outcome, Attempt, Due, MailSettings, NewMail,
    OutgoingMail,
};
