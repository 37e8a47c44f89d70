//! Server-rendered HTML shared by every role's pages: one layout, one stylesheet, QR codes.
//! No JavaScript framework (ARCHITECTURE.md §6); a page works with forms and links alone.

mod layout;
mod qr;

pub(crate) use layout::{Page, html_response};
pub(crate) use qr::qr_svg;
