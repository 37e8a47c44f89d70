//! Over-disclosure: selectively disclosed claims the DCQL query did not ask for. Reported as a
//! warning (data minimisation is the wallet's duty; the claims are still valid).
//!
//! saifu-credential's verified claims do not say which claims came from disclosures, so the
//! signed payload is walked again here, after verification, following the digests.

use std::collections::HashMap;

use saifu_credential::sd_jwt::{
    ARRAY_ELEMENT_KEY, Disclosure, HashAlg, Limits, SD_ALG_KEY, SD_KEY, SdJwt,
};
use saifu_oid4vc::dcql::{self, ClaimPath, PathElement};
use serde_json::{Map, Value};

/// The selectively disclosed claims of `sd_jwt` (already verified) that none of the claims in
/// `requested` lies on the way to or inside.
pub(crate) fn over_disclosed(
    sd_jwt: &SdJwt,
    requested: &dcql::Disclosure,
    limits: &Limits,
) -> Vec<ClaimPath> {
    let dcql::Disclosure::Claims(requested) = requested else {
        return Vec::new(); // the whole credential was asked for
    };
    disclosed_paths(sd_jwt, limits)
        .into_iter()
        .filter(|path| !requested.iter().any(|r| related(&path.0, &r.0)))
        .collect()
}

/// Whether one path is a prefix of the other.
fn related(a: &[PathElement], b: &[PathElement]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// The paths (in the disclosed claims) of every disclosure `sd_jwt` carries. Empty when the
/// issuer JWT cannot be decoded, which verification has already ruled out.
fn disclosed_paths(sd_jwt: &SdJwt, limits: &Limits) -> Vec<ClaimPath> {
    let Some(payload) = sd_jwt
        .decode_issuer_jwt(limits)
        .ok()
        .and_then(|decoded| serde_json::from_slice::<Map<String, Value>>(&decoded.payload).ok())
    else {
        return Vec::new();
    };
    let Ok(hash) = HashAlg::from_claim(payload.get(SD_ALG_KEY)) else {
        return Vec::new();
    };
    let mut walk = Walk {
        by_digest: sd_jwt
            .disclosures()
            .iter()
            .map(|d| (d.digest(hash), d))
            .collect(),
        found: Vec::new(),
    };
    walk.object(&payload, &mut Vec::new());
    walk.found
}

/// A walk over the signed payload, entering disclosures where their digests appear.
struct Walk<'a> {
    by_digest: HashMap<String, &'a Disclosure>,
    found: Vec<ClaimPath>,
}

impl Walk<'_> {
    fn value(&mut self, value: &Value, path: &mut Vec<PathElement>) {
        match value {
            Value::Object(map) => self.object(map, path),
            Value::Array(items) => self.array(items, path),
            _ => {}
        }
    }

    fn object(&mut self, map: &Map<String, Value>, path: &mut Vec<PathElement>) {
        for (name, child) in map.iter().filter(|(name, _)| *name != SD_KEY) {
            self.enter(path, PathElement::Key(name.clone()), child, false);
        }
        let digests = map.get(SD_KEY).and_then(Value::as_array);
        for digest in digests.into_iter().flatten().filter_map(Value::as_str) {
            if let Some(disclosure) = self.by_digest.get(digest).copied()
                && let Some(name) = disclosure.name()
            {
                self.enter(
                    path,
                    PathElement::Key(name.to_owned()),
                    disclosure.value(),
                    true,
                );
            }
        }
    }

    fn array(&mut self, items: &[Value], path: &mut Vec<PathElement>) {
        let mut index = 0;
        for item in items {
            let placeholder = item
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get(ARRAY_ELEMENT_KEY))
                .and_then(Value::as_str);
            let (value, disclosed) = match placeholder {
                None => (item, false),
                Some(digest) => match self.by_digest.get(digest).copied() {
                    Some(disclosure) => (disclosure.value(), true),
                    None => continue, // a decoy or an undisclosed element: not in the claims
                },
            };
            self.enter(path, PathElement::Index(index), value, disclosed);
            index += 1;
        }
    }

    fn enter(
        &mut self,
        path: &mut Vec<PathElement>,
        step: PathElement,
        value: &Value,
        disclosed: bool,
    ) {
        path.push(step);
        if disclosed {
            self.found.push(ClaimPath(path.clone()));
        }
        self.value(value, path);
        path.pop();
    }
}
