//! Types that cross the wire between the server and the browser. Plain data, no behaviour that
//! needs the server: the WASM front end compiles this crate too.

/// An enum with a stable code (stored and posted) and a label per variant, in English and in
/// German (shown, and sent in e-mails, in the reader's language).
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal, $german:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in CSV files and forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The English label, as CSV files and the API carry it.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The label in `locale`'s language.
            pub fn label_in(self, locale: $crate::Locale) -> &'static str {
                match locale {
                    $crate::Locale::English => self.label(),
                    $crate::Locale::German => match self { $($name::$variant => $german),+ },
                }
            }

            /// Reads a code, ignoring case and surrounding spaces.
            pub fn parse(code: &str) -> Option<Self> {
                let code = code.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(code))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

mod accounts;
mod alarm;
mod api;
mod catalog;
pub mod form;
mod intake;
mod mail;
mod orders;
mod permission;
mod punchout;
mod reference;
mod regional;
mod role;
mod security;
mod sso;
mod trace;
mod views;

pub use accounts::*;
pub use alarm::*;
pub use api::*;
pub use catalog::*;
pub use intake::*;
pub use mail::*;
pub use orders::*;
pub use permission::Permission;
pub use punchout::*;
pub use reference::{NotAPoReference, PoReference};
pub use regional::{Locale, Regional, RegionalSettings, ZoneRules, ZoneSpan};
pub use role::{role_labels, Role, RoleScope, UnknownRole};
pub use security::*;
pub use sso::*;
pub use trace::*;
pub use views::*;
