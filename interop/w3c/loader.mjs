// Static document loader shared by the W3C peer scripts: saifu's bundled JSON-LD contexts,
// did:key documents derived from the DID itself, and documents the caller hands in (status
// lists). Nothing is fetched from the network.
import {readFileSync} from 'node:fs';

const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://www.w3.org/2018/credentials/v1': 'credentials-v1.jsonld',
  'https://www.w3.org/ns/credentials/examples/v2': 'credentials-examples-v2.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': 'credentials-status-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-v1.jsonld',
};
const contextDir = new URL('../../crates/saifu-credential/contexts/', import.meta.url);

// Each context file is read and parsed once per process, as a production loader would cache it.
const parsed = new Map();
function context(url) {
  if(!parsed.has(url)) {
    parsed.set(url, JSON.parse(readFileSync(new URL(CONTEXTS[url], contextDir), 'utf8')));
  }
  return parsed.get(url);
}

// did:key documents are derived from the DID itself (one Multikey for every relationship).
function didKeyDocument(url) {
  const [did, fragment] = url.split('#');
  const multibase = did.slice('did:key:'.length);
  const method = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: `${did}#${multibase}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: multibase,
  };
  if(fragment) {
    return method;
  }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [method],
    assertionMethod: [method.id],
    authentication: [method.id],
  };
}

export function loader(documents = {}) {
  return async url => {
    let document;
    if(CONTEXTS[url]) {
      document = context(url);
    } else if(url.startsWith('did:key:')) {
      document = didKeyDocument(url);
    } else if(documents[url]) {
      document = documents[url];
    } else {
      throw new Error(`document not bundled: ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}
