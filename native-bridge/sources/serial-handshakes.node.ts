// What a serial device is told after its port opens and before it closes, beside the
// device table (serial-devices.std.ts) and the formats (serial-formats/): the OneRNG's
// noise mode and cmdO/cmdo, the GQ GMC's <GETVER>> handshake and its heartbeat on and
// off (GQ-RFC1201). The serial source lends its port as a link; the conversations are here.
import { setTimeout as sleep } from 'node:timers/promises';
import { ONERNG_COMMANDS } from './serial-devices.std';
import { GMC_COMMANDS, GMC_VERSION_LENGTH, readGmcVersion } from './serial-formats/gmc.std';
import { SourceError } from './source.std';

/** After <HEARTBEAT0>>, time for counts already on their way to arrive (USB serial bridges buffer a few ms). */
const GMC_SETTLE_MS = 100;
/** A <GETVER>> reply arrives in one burst; this long a gap ends it. */
const GMC_REPLY_GAP_MS = 200;
/** Once the 14 bytes of GQ-RFC1201 are in, a shorter gap ends the reply of a model with a longer version. */
const GMC_REPLY_TAIL_MS = 20;
/** No version string is this long: a reply past it is noise at the wrong baud rate. */
const GMC_REPLY_MAX = 64;

/** Which conversation a device needs. */
export type SerialConversation = { kind: 'onerng'; mode: number | undefined } | { kind: 'gmc' } | { kind: 'none' };

/** The port, as a conversation sees it. */
export interface SerialLink {
  /** "GQ GMC Geiger counter at /dev/ttyUSB0": how messages name the device. */
  readonly label: string;
  readonly baud: number;
  write(command: string): Promise<void>;
  /** The port's failure, when it failed meanwhile (unplugged mid-handshake). */
  failure(): Error | undefined;
}

/** Bytes of a reply, collected while a handshake waits for them; closed once the device streams. */
export class ReplyBuffer {
  #bytes: number[] = [];
  #wake: (() => void) | undefined;
  #open: boolean;

  constructor(open: boolean) {
    this.#open = open;
  }

  /** Bytes arriving now belong to a reply, not to the sample stream. */
  get open(): boolean {
    return this.#open;
  }

  get length(): number {
    return this.#bytes.length;
  }

  push(chunk: Uint8Array): void {
    for (const byte of chunk) this.#bytes.push(byte);
    this.wake();
  }

  take(): Uint8Array {
    const reply = Uint8Array.from(this.#bytes);
    this.#bytes = [];
    return reply;
  }

  /** What comes from now on is samples. */
  close(): void {
    this.#open = false;
    this.#bytes = [];
  }

  /** Resolves true when bytes arrive (or `wake()` is called: the port failed), false after `ms` of quiet. */
  next(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve(false);
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve(true);
      };
    });
  }

  wake(): void {
    this.#wake?.();
  }
}

/**
 * Says what the device needs to stream. `onStartSent` runs before the first command
 * that leaves it in a state to undo (streaming, heartbeat), so a failure after it still
 * sends the stop. Resolves with the version a GMC reported.
 */
export async function startSerialDevice(conversation: SerialConversation, link: SerialLink, reply: ReplyBuffer, deadline: number, onStartSent: () => void): Promise<string | undefined> {
  if (conversation.kind === 'onerng') {
    if (conversation.mode !== undefined) await link.write(ONERNG_COMMANDS.mode(conversation.mode));
    onStartSent();
    await link.write(ONERNG_COMMANDS.start);
    return undefined;
  }
  if (conversation.kind === 'gmc') return handshakeGmc(link, reply, deadline, onStartSent);
  return undefined;
}

/** The command that stops a started device, if it has one. */
export function stopCommand(conversation: SerialConversation): string | undefined {
  return conversation.kind === 'onerng' ? ONERNG_COMMANDS.stop : conversation.kind === 'gmc' ? GMC_COMMANDS.heartbeatOff : undefined;
}

/** What was sent to make the device stream, for a message about it not streaming. */
export function startSent(conversation: SerialConversation): string | undefined {
  return conversation.kind === 'onerng' ? ONERNG_COMMANDS.start.trim() : conversation.kind === 'gmc' ? GMC_COMMANDS.heartbeatOn : undefined;
}

/** GQ-RFC1201: <GETVER>> for the model, then <HEARTBEAT1>> for a count every second. */
async function handshakeGmc(link: SerialLink, reply: ReplyBuffer, deadline: number, onStartSent: () => void): Promise<string> {
  // A heartbeat left on by an earlier session would mix its counts into the reply:
  // turn it off, let counts already on their way arrive, and drop them.
  onStartSent();
  await link.write(GMC_COMMANDS.heartbeatOff);
  await sleep(GMC_SETTLE_MS);
  reply.take();
  await link.write(GMC_COMMANDS.getVersion);
  for (;;) {
    const failure = link.failure();
    if (failure) throw failure;
    const got = reply.length;
    if (got > GMC_REPLY_MAX) break;
    const gap = got >= GMC_VERSION_LENGTH ? GMC_REPLY_TAIL_MS : got > 0 ? GMC_REPLY_GAP_MS : Infinity;
    const wait = Math.min(gap, deadline - Date.now());
    if (wait <= 0 || !(await reply.next(wait))) break;
  }
  const failure = link.failure();
  if (failure) throw failure;
  const answer = reply.take();
  if (answer.length === 0) {
    throw new SourceError(
      'protocol',
      `${link.label} did not answer ${GMC_COMMANDS.getVersion}: check that it is a GQ GMC counter and switched on, and the baud rate (${link.baud}; the GMC-320+ V5 and GMC-500/600 need baud=115200).`,
    );
  }
  const version = answer.length > GMC_REPLY_MAX ? undefined : readGmcVersion(answer);
  if (!version) {
    throw new SourceError(
      'protocol',
      `${link.label} sends unreadable replies: check the baud rate (${link.baud}) and the format (gmc). It answered ${GMC_COMMANDS.getVersion} with ${answer.length} bytes starting ${hexPreview(answer)}.`,
    );
  }
  reply.close();
  await link.write(GMC_COMMANDS.heartbeatOn);
  return version;
}

function hexPreview(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
