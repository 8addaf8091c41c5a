// Signed agent bundles. A checksum anyone can recompute says nothing about who wrote a bundle;
// an Ed25519 signature by the exporting installation's key does. A signed bundle names its
// signer (the public key) and carries the signature of its canonical JSON without the signature
// itself; any change after signing, a signature by another key or a malformed one refuses it.
import { canonicalJson } from '../store/canonical-json.std';
import { BundleError, verifyBundle, type AgentBundle } from '../store/agent-bundle.node';
import { shortKey, verifySignature, type Identity } from '../identity/identity.node';
import { checkBundleClaims, type CheckedBundle } from './bundle-claims.node';

export interface Signed {
  /** The signer's Ed25519 public key, 64 hex digits. */
  signer: string;
  /** Base64 of the 64-byte signature. */
  signature: string;
}

/** What was signed: the bundle as canonical JSON, its signer named, its signature left out. */
function signedBytes(bundle: AgentBundle, signer: string): Uint8Array {
  const { signature, ...rest } = bundle as AgentBundle & Partial<Signed>;
  void signature;
  return new TextEncoder().encode(canonicalJson({ ...rest, signer }));
}

/** The bundle signed by this installation. */
export function signBundle<B extends AgentBundle>(bundle: B, identity: Identity): B & Signed {
  const signature = identity.sign(signedBytes(bundle, identity.publicKey));
  return { ...bundle, signer: identity.publicKey, signature: Buffer.from(signature).toString('base64') };
}

/**
 * The bundle's signer when its signature holds, null for an unsigned bundle (one an older
 * LightSeed exported); a signature that does not hold refuses the bundle with the reason.
 */
export function bundleSigner(bundle: AgentBundle & Partial<Signed>): string | null {
  if (bundle.signer === undefined && bundle.signature === undefined) {
    if (bundle.version === 1) return null;
    throw new BundleError('The bundle is not signed, though LightSeed signs every bundle it exports: its signature was removed, so who made it cannot be told. It was not imported.');
  }
  if (typeof bundle.signer !== 'string' || !/^[0-9a-f]{64}$/.test(bundle.signer)) throw new BundleError('The bundle names no valid signer key: it was not signed by a LightSeed installation, or it was damaged.');
  if (typeof bundle.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(bundle.signature)) throw new BundleError(`The bundle's signature by ${shortKey(bundle.signer)} is malformed: it was damaged or forged.`);
  if (!verifySignature(bundle.signer, signedBytes(bundle, bundle.signer), Buffer.from(bundle.signature, 'base64'))) {
    throw new BundleError(`The bundle's signature by ${shortKey(bundle.signer)} does not match its contents: it was changed after it was signed, or the signature is forged.`);
  }
  return bundle.signer;
}

/**
 * A bundle file's text checked whole before anything is written: its shape, checksum and seed
 * chain, its signature (naming its signer; null for a version-1 bundle, which had none), and
 * every value it claims.
 */
export function checkedBundle(text: string, now = Date.now()): CheckedBundle & { signer: string | null } {
  const bundle = verifyBundle(text);
  const signer = bundleSigner(bundle);
  return { ...checkBundleClaims(bundle, now), signer };
}
