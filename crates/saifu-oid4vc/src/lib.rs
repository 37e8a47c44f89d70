//! OpenID4VCI and OpenID4VP wire types and state machines, the DCQL engine, the Presentation
//! Exchange adapter and OAuth helpers (PKCE, PAR, JAR).
//!
//! Implemented so far: [`dcql`], the Digital Credentials Query Language of OpenID4VP 1.0 (§6, §7);
//! [`vci`], the OpenID4VCI 1.0 wire layer; [`oauth`], PKCE and PAR; [`w3c`], the `jwt_vc_json` and `ldp_vc` formats.

pub mod dcql;
pub mod oauth;
pub mod pe;
pub mod vci;
pub mod vp;
pub mod w3c;
