// A circle's invite code: what a friend types to join. It carries the circle's topic (32 random
// bytes: whoever knows it can find the circle's peers, so the code is a secret to share only with
// the friend) and the inviter's public key (so the friend knows who invited them), as
// `lightseed-circle:` and 65 bytes (a version byte, topic, key) in base64url.

export const INVITE_PREFIX = 'lightseed-circle:';
const INVITE_VERSION = 1;

export interface Invite {
  /** The circle's topic, 32 bytes. */
  topic: Uint8Array;
  /** The inviter's Ed25519 public key, 64 hex digits. */
  inviter: string;
}

export class InviteError extends Error {
  override readonly name = 'InviteError';
}

const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function encodeInvite(invite: Invite): string {
  if (invite.topic.length !== 32 || !/^[0-9a-f]{64}$/.test(invite.inviter)) throw new InviteError('An invite needs a 32-byte topic and a 32-byte public key.');
  const bytes = new Uint8Array(65);
  bytes[0] = INVITE_VERSION;
  bytes.set(invite.topic, 1);
  bytes.set(Uint8Array.from(invite.inviter.match(/../g)!, (h) => parseInt(h, 16)), 33);
  return INVITE_PREFIX + toBase64Url(bytes);
}

export function decodeInvite(code: string): Invite {
  const trimmed = code.trim();
  if (!trimmed.startsWith(INVITE_PREFIX)) throw new InviteError(`This is not a LightSeed circle invite: it should start with ${INVITE_PREFIX}`);
  const body = trimmed.slice(INVITE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{87}$/.test(body)) throw new InviteError('The invite code is cut short or has characters an invite never has: copy it again, whole.');
  const bytes = Uint8Array.from(atob(body.replace(/-/g, '+').replace(/_/g, '/') + '='), (c) => c.charCodeAt(0));
  if (bytes[0] !== INVITE_VERSION) throw new InviteError(`The invite is of version ${bytes[0]}; this LightSeed reads version ${INVITE_VERSION}.`);
  return { topic: bytes.slice(1, 33), inviter: hex(bytes.subarray(33, 65)) };
}
