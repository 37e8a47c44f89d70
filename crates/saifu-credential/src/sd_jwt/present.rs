//! Presentation (RFC 9901 §4, §7.2): the holder keeps only the disclosures needed for the claims
//! it chooses to reveal, and optionally adds a KB-JWT.

use std::collections::HashMap;

use saifu_crypto::Signer;
use serde_json::{Map, Value};

use super::disclosure::Disclosure;
use super::kb::{self, KeyBindingRequest};
use super::path::{ClaimPath, Step};
use super::verify::reconstruct;
use super::{ARRAY_ELEMENT_KEY, Limits, SD_KEY, SdJwt, SdJwtError};

impl SdJwt {
    /// A presentation revealing the claims at `paths`. Each path reveals its target and every
    /// selectively disclosable parent on the way (a child cannot be read without its parent);
    /// disclosable claims *inside* the target need their own paths. A path naming nothing is an
    /// error, so a typo never silently reveals less than the user agreed to.
    pub fn present(&self, paths: &[ClaimPath]) -> Result<SdJwt, SdJwtError> {
        if self.kb_jwt().is_some() {
            // RFC 9901 §7.2: a holder must not accept an SD-JWT+KB as issued.
            return Err(SdJwtError::UnexpectedKeyBinding);
        }
        let limits = Limits::default();
        let (payload, hash) = self.unverified_payload(&limits)?;
        // The RFC 9901 §7.1 structure rules first (§7.2): besides protecting the user from a
        // malformed credential, they bound the walk below (each digest once, limited depth).
        reconstruct(payload.clone(), self.disclosures(), hash, &limits)?;
        let by_digest: HashMap<String, usize> = self
            .disclosures()
            .iter()
            .enumerate()
            .map(|(i, d)| (d.digest(hash), i))
            .collect();
        let mut select = Select {
            paths,
            matched: vec![false; paths.len()],
            disclosures: self.disclosures(),
            by_digest,
            chosen: vec![false; self.disclosures().len()],
        };
        select.object(&payload, &mut Vec::new());
        if let Some(i) = select.matched.iter().position(|m| !m) {
            return Err(SdJwtError::PathNotFound(paths[i].to_string()));
        }
        let disclosures = self
            .disclosures()
            .iter()
            .zip(&select.chosen)
            .filter(|(_, chosen)| **chosen)
            .map(|(d, _)| d.clone())
            .collect();
        Ok(SdJwt::new(self.jwt().to_owned(), disclosures, None))
    }

    /// Like [`SdJwt::present`], then appends a KB-JWT signed by the holder key over `request`.
    pub async fn present_with_key_binding(
        &self,
        paths: &[ClaimPath],
        request: &KeyBindingRequest<'_>,
        holder: &dyn Signer,
    ) -> Result<SdJwt, SdJwtError> {
        let presentation = self.present(paths)?;
        let (_, hash) = presentation.unverified_payload(&Limits::default())?;
        let kb = kb::sign(&presentation.sd_hash_input(), hash, request, holder).await?;
        Ok(SdJwt::new(
            presentation.jwt().to_owned(),
            presentation.disclosures().to_vec(),
            Some(kb),
        ))
    }
}

/// State of one selection walk over the issuer payload.
struct Select<'a> {
    paths: &'a [ClaimPath],
    matched: Vec<bool>,
    disclosures: &'a [Disclosure],
    by_digest: HashMap<String, usize>,
    chosen: Vec<bool>,
}

impl<'a> Select<'a> {
    /// Whether any path leads through `steps`; marks the paths that end there.
    fn wanted(&mut self, steps: &[Step<'_>]) -> bool {
        let mut any = false;
        for (path, matched) in self.paths.iter().zip(&mut self.matched) {
            if path.passes_through(steps) {
                any = true;
                *matched |= path.is(steps);
            }
        }
        any
    }

    fn value(&mut self, value: &'a Value, steps: &mut Vec<Step<'a>>) {
        match value {
            Value::Object(map) => self.object(map, steps),
            Value::Array(items) => self.array(items, steps),
            _ => {}
        }
    }

    fn object(&mut self, map: &'a Map<String, Value>, steps: &mut Vec<Step<'a>>) {
        for (name, child) in map {
            if name == SD_KEY {
                for digest in child
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let Some(&i) = self.by_digest.get(digest) else {
                        continue; // a decoy, or a disclosure the holder does not have
                    };
                    let disclosures = self.disclosures;
                    if let Some(name) = disclosures[i].name() {
                        self.take(i, Step::Key(name), steps);
                    }
                }
            } else {
                steps.push(Step::Key(name));
                if self.wanted(steps) {
                    self.value(child, steps);
                }
                steps.pop();
            }
        }
    }

    fn array(&mut self, items: &'a [Value], steps: &mut Vec<Step<'a>>) {
        for (index, item) in items.iter().enumerate() {
            let digest = item
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get(ARRAY_ELEMENT_KEY))
                .and_then(Value::as_str);
            match digest.and_then(|d| self.by_digest.get(d).copied()) {
                Some(i) => self.take(i, Step::Index(index), steps),
                None if digest.is_some() => {} // decoy
                None => {
                    steps.push(Step::Index(index));
                    if self.wanted(steps) {
                        self.value(item, steps);
                    }
                    steps.pop();
                }
            }
        }
    }

    /// Chooses disclosure `i` (reached via `step`) if a path wants it, and walks into its value.
    fn take(&mut self, i: usize, step: Step<'a>, steps: &mut Vec<Step<'a>>) {
        steps.push(step);
        if self.wanted(steps) {
            self.chosen[i] = true;
            let disclosures = self.disclosures;
            self.value(disclosures[i].value(), steps);
        }
        steps.pop();
    }
}
