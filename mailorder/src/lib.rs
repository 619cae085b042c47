//! Orders by e-mail, as a codec: [`read_message`] turns an RFC 5322 message into what simdesk
//! keeps of it (sender, Message-ID, the text of its body and of its CSV and PDF attachments,
//! the HTML made safe to show), and [`read_order`] finds the order it asks for (lines with
//! quantities and prices, the buyer's reference, the ship-to address, the requested date).
//!
//! Nothing here knows the catalog, the database or the network: which product a line means is
//! the caller's business, and so is what to do with a message that cannot be read.

mod message;
mod order;
mod table;

pub use message::{
    read_message, read_page, Attachment, AttachmentKind, MessageError, ReceivedMessage, MAX_LINKS,
};
pub use order::{read_order, Address, RequestedLine, RequestedOrder, Source};
