// This installation's identity: an Ed25519 key pair whose 32-byte seed lives in the data folder
// (`identity.key`, readable by its owner only). It signs the agent bundles this machine exports
// or sends, so another machine can say who sent an agent and refuse one that was altered; the
// swarm's peers know each other by its public key. The seed is RFC 8032's private key, so the same
// key pair comes out of node:crypto here and out of libsodium's crypto_sign_seed_keypair, which
// Hyperswarm's Noise handshake uses.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, fsyncSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const IDENTITY_FILE = 'identity.key';
const SEED_BYTES = 32;
/** PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410): this prefix, then the 32 bytes. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI wrapping of a raw Ed25519 public key. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
}

export interface Identity {
  /** The public key, 32 bytes as 64 hex digits: how other machines name this one. */
  readonly publicKey: string;
  /** An Ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

export { shortKey } from './short-key.std';

function keyPairFromSeed(seed: Uint8Array): { privateKey: KeyObject; publicKey: string } {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: spki.subarray(SPKI_ED25519_PREFIX.length).toString('hex') };
}

/** An identity from its seed (tests and the swarm's own key derivation use this). */
export function identityFromSeed(seed: Uint8Array): Identity & { readonly seed: Uint8Array } {
  if (seed.length !== SEED_BYTES) throw new IdentityError(`An identity seed is ${SEED_BYTES} bytes, not ${seed.length}.`);
  const { privateKey, publicKey } = keyPairFromSeed(seed);
  return { publicKey, seed: new Uint8Array(seed), sign: (message) => new Uint8Array(sign(null, message, privateKey)) };
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of `message` (false for any malformed input). */
export function verifySignature(publicKey: string, message: Uint8Array, signature: Uint8Array): boolean {
  if (!/^[0-9a-f]{64}$/.test(publicKey) || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKey, 'hex')]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** A seed file's 32 bytes, made private again if others could read it; undefined when there is none. */
function readSeed(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new IdentityError(`${path} is not a file: move it aside so LightSeed can keep its identity there.`);
    const seed = readFileSync(fd);
    if ((stats.mode & 0o077) !== 0) chmodSync(path, 0o600);
    if (seed.length !== SEED_BYTES) {
      throw new IdentityError(`${path} holds ${seed.length} bytes, not the ${SEED_BYTES} of an identity: it is damaged. Restore it from a backup; removing it gives this installation a new identity that its peers do not know.`);
    }
    return seed;
  } finally {
    closeSync(fd);
  }
}

function withoutSeed(seed: Uint8Array): Identity {
  const { seed: _seed, ...identity } = identityFromSeed(seed);
  void _seed;
  return identity;
}

/** The installation's identity if it has one yet (looking creates nothing). */
export function readIdentity(dataDir: string): Identity | undefined {
  const seed = readSeed(join(dataDir, IDENTITY_FILE));
  return seed ? withoutSeed(seed) : undefined;
}

/**
 * The installation's identity from `dataDir`, created on first use. The seed file is written
 * whole (a temporary file, fsync, rename) with mode 0600; an existing file readable by others
 * is made private again, and a file of the wrong size is refused rather than replaced (replacing
 * it would give this machine another identity, and its peers would no longer know it).
 */
export function loadOrCreateIdentity(dataDir: string): Identity {
  const path = join(dataDir, IDENTITY_FILE);
  const existing = readSeed(path);
  if (existing) return withoutSeed(existing);
  const seed = randomBytes(SEED_BYTES);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, seed);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return withoutSeed(seed);
}

/**
 * The identity's seed itself, for the swarm only: HyperDHT derives the connection's Noise key
 * pair from it, so peers authenticate this installation by the same public key its bundles are
 * signed with. Creates the identity first if there is none.
 */
export function identitySeed(dataDir: string): Uint8Array {
  loadOrCreateIdentity(dataDir);
  return new Uint8Array(readSeed(join(dataDir, IDENTITY_FILE))!);
}
