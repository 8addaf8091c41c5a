// The installation's Ed25519 identity: RFC 8032's test vector, a private seed file created
// once and kept, and refusal of a damaged one.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDENTITY_FILE, identityFromSeed, loadOrCreateIdentity, readIdentity, shortKey, verifySignature } from '../../electron/identity/identity.node';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => (dir = makeTempDir()));
afterEach(() => dir.remove());

describe('identity', () => {
  it('derives the key pair and signatures of RFC 8032 test 1 from its seed', () => {
    const identity = identityFromSeed(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
    expect(identity.publicKey).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const signature = identity.sign(new Uint8Array(0));
    expect(Buffer.from(signature).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(verifySignature(identity.publicKey, new Uint8Array(0), signature)).toBe(true);
    expect(verifySignature(identity.publicKey, Uint8Array.of(0), signature)).toBe(false);
    expect(verifySignature('00'.repeat(32), new Uint8Array(0), signature)).toBe(false);
    expect(verifySignature('not a key', new Uint8Array(0), signature)).toBe(false);
    expect(verifySignature(identity.publicKey, new Uint8Array(0), signature.subarray(1))).toBe(false);
    expect(shortKey(identity.publicKey)).toBe('d75a·9801');
  });

  it('creates a private seed file once and gives the same identity from it afterwards', () => {
    expect(readIdentity(dir.path)).toBeUndefined();
    const first = loadOrCreateIdentity(dir.path);
    expect(readIdentity(dir.path)?.publicKey).toBe(first.publicKey);
    const file = join(dir.path, IDENTITY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file)).toHaveLength(32);
    expect(loadOrCreateIdentity(dir.path).publicKey).toBe(first.publicKey);
    // A file others can read is made private again.
    chmodSync(file, 0o644);
    expect(loadOrCreateIdentity(dir.path).publicKey).toBe(first.publicKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Another installation has another identity.
    const other = makeTempDir();
    try {
      expect(loadOrCreateIdentity(other.path).publicKey).not.toBe(first.publicKey);
    } finally {
      other.remove();
    }
  });

  it('refuses a damaged seed file instead of replacing it', () => {
    writeFileSync(join(dir.path, IDENTITY_FILE), Buffer.alloc(31));
    expect(() => loadOrCreateIdentity(dir.path)).toThrow(/holds 31 bytes, not the 32 of an identity: it is damaged\. Restore it from a backup/);
    expect(readFileSync(join(dir.path, IDENTITY_FILE))).toHaveLength(31);
  });

  it('is shown by lightseed identity, and is the key exported bundles are signed with', () => {
    const shown = JSON.parse(runCli(['--data-dir', dir.path, 'identity', '--json']).stdout) as { publicKey: string; short: string; file: string };
    expect(shown).toEqual({ publicKey: loadOrCreateIdentity(dir.path).publicKey, short: shortKey(shown.publicKey), file: join(dir.path, IDENTITY_FILE) });
    expect(runCli(['--data-dir', dir.path, 'identity']).stdout).toMatch(/^[0-9a-f]{4}·[0-9a-f]{4} {2}[0-9a-f]{64}\nThe private key is .*identity\.key \(readable by you only\)/);
  });
});
