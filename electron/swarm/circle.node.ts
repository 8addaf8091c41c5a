// A circle: the installations that share an invite code, connected over Hyperswarm. The topic
// finds the peers (HyperDHT); each connection is Noise-encrypted and authenticated with the
// installation's own Ed25519 key (the identity's seed gives HyperDHT the same key pair), so a
// peer's public key is who it is. Removed peers are refused before any data flows. Every frame is
// checked (size, JSON, schema) and counted against a rate limit; a peer that breaks a rule is
// cut off and the reason logged, and nothing it sent is acted on.
import DHT from 'hyperdht';
import type { Duplex } from 'node:stream';
import c from 'compact-encoding';
import Hyperswarm, { type SwarmSocket } from 'hyperswarm';
import Protomux from 'protomux';
import { encodeFrame, FrameError, FrameReader, MAX_FRAME_BYTES, PROTOCOL_VERSION, type PeerMessage } from './frames.std';
import { shortKey } from '../identity/short-key.std';

/** When to look for the circle's peers again after joining, besides Hyperswarm's own every 10 minutes. */
const EARLY_LOOKUPS_MS = [1500, 4000, 10_000, 30_000, 90_000];

/** Messages a peer may send per second on average, and in a burst. */
export const RATE_PER_SECOND = 20;
export const RATE_BURST = 60;

export interface Peer {
  publicKey: string;
  name: string;
  capacity: number;
}

export interface CircleOptions {
  /** The installation's identity seed (32 bytes): its Noise key pair. */
  identitySeed: Uint8Array;
  topic: Uint8Array;
  /** What this installation calls itself to its peers. */
  name: string;
  /** Agents it would host for its peers. */
  capacity: number;
  /** Public keys (hex) refused at the handshake. */
  removed?: Iterable<string>;
  /** The DHT to use (tests give one on a local testnet); default: the public HyperDHT. */
  dht?: DHT;
  log: (line: string) => void;
  maxFrameBytes?: number;
  onPeer?: (peer: Peer) => void;
  onPeerGone?: (publicKey: string) => void;
  /**
   * Every checked message after the hello. Throwing PeerFault cuts the peer off with its
   * reason (what it sent broke a rule); any other error is logged and the connection kept.
   */
  onMessage?: (peer: Peer, message: PeerMessage) => void | Promise<void>;
  /** Each accepted connection, for protocols that run on their own channels beside the circle's. */
  onConnection?: (publicKey: string, socket: SwarmSocket) => void;
}

/** The name of the circle's own channel on a connection (Protomux). */
export const CIRCLE_PROTOCOL = 'lightseed/circle';

/**
 * Opens the circle's channel on a connection: its frames travel as Protomux messages, so that
 * other protocols (Hypercore's replication) can share the connection on channels of their own.
 * Undefined when the connection already has one (the other end opened it twice).
 */
export function openCircleChannel(socket: Duplex, onFrame: (bytes: Uint8Array) => void): { send: (frame: Uint8Array) => void } | undefined {
  const mux = Protomux.from(socket);
  const channel = mux.createChannel({ protocol: CIRCLE_PROTOCOL });
  if (!channel) {
    socket.destroy();
    return undefined;
  }
  const frames = channel.addMessage({ encoding: c.raw, onmessage: (bytes: Uint8Array) => onFrame(bytes) });
  channel.open();
  return { send: (frame) => frames.send(frame) };
}

/** Thrown by a message handler when what the peer sent breaks a rule: the peer is cut off. */
export class PeerFault extends Error {
  override readonly name = 'PeerFault';
}

export interface Traffic {
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
}

interface Connection {
  socket: SwarmSocket;
  /** Sends one frame on the circle's channel. */
  send: (frame: Uint8Array) => void;
  peer?: Peer;
  tokens: number;
  refilledAt: number;
}

export class Circle {
  readonly publicKey: string;
  readonly #swarm: Hyperswarm;
  readonly #removed: Set<string>;
  readonly #connections = new Map<string, Connection>();
  #refresher: NodeJS.Timeout | undefined;
  /** Per peer, since this circle started (kept across its reconnections). */
  readonly #traffic = new Map<string, Traffic>();

  constructor(private readonly options: CircleOptions) {
    const keyPair = DHT.keyPair(Buffer.from(options.identitySeed));
    this.publicKey = keyPair.publicKey.toString('hex');
    this.#removed = new Set(options.removed ?? []);
    this.#swarm = new Hyperswarm({
      keyPair,
      ...(options.dht ? { dht: options.dht } : {}),
      firewall: (remote) => this.#removed.has(remote.toString('hex')),
    });
    this.#swarm.on('connection', (socket) => this.#accept(socket));
  }

  /** The peers that said hello, by public key. */
  get peers(): Peer[] {
    return [...this.#connections.values()].flatMap((c) => (c.peer ? [c.peer] : []));
  }

  /** Sends a message to a connected peer; false when it is not connected (nothing is queued). */
  send(publicKey: string, message: PeerMessage): boolean {
    const connection = this.#connections.get(publicKey);
    if (!connection?.peer || connection.socket.destroyed) return false;
    this.#write(publicKey, connection, message);
    return true;
  }

  /** Messages and bytes exchanged with each peer since this circle started. */
  traffic(publicKey: string): Traffic {
    return { ...(this.#traffic.get(publicKey) ?? { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 }) };
  }

  #count(publicKey: string): Traffic {
    let traffic = this.#traffic.get(publicKey);
    if (!traffic) this.#traffic.set(publicKey, (traffic = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 }));
    return traffic;
  }

  #write(publicKey: string, connection: Pick<Connection, 'send'>, message: PeerMessage): void {
    const frame = encodeFrame(message);
    const traffic = this.#count(publicKey);
    traffic.messagesOut++;
    traffic.bytesOut += frame.length;
    connection.send(frame);
  }

  /** Tells every peer the room this installation offers now. */
  announce(capacity: number): void {
    this.options.capacity = capacity;
    for (const key of this.#connections.keys()) this.send(key, { t: 'room', capacity });
  }

  /** Ends a peer's connection for breaking a rule, logging why (it may reconnect unless removed). */
  cutOff(publicKey: string, why: string): void {
    const connection = this.#connections.get(publicKey);
    if (!connection) return;
    this.options.log(`Peer ${shortKey(publicKey)} was cut off: it sent ${why}.`);
    connection.socket.destroy();
  }

  /** Announces this installation on the topic and looks for its peers. */
  async join(): Promise<void> {
    const discovery = this.#swarm.join(Buffer.from(this.options.topic), { server: true, client: true });
    await discovery.flushed();
    // Hyperswarm looks for the topic again every 10 minutes; installations that joined at the same
    // moment each looked before the other announced, so look again soon, then less often.
    const again = (delays: readonly number[]) => {
      if (delays.length === 0) return;
      this.#refresher = setTimeout(() => {
        discovery.refresh().catch((error: unknown) => this.options.log(`Looking for the circle's peers failed, and is tried again later: ${(error as Error).message}`));
        again(delays.slice(1));
      }, delays[0]);
      this.#refresher.unref();
    };
    again(EARLY_LOOKUPS_MS);
  }

  /** Refuses a peer from now on and closes its connection. */
  remove(publicKey: string): void {
    this.#removed.add(publicKey);
    this.#connections.get(publicKey)?.socket.destroy();
  }

  async leave(): Promise<void> {
    clearTimeout(this.#refresher);
    await this.#swarm.destroy();
  }

  #accept(socket: SwarmSocket): void {
    const key = socket.remotePublicKey.toString('hex');
    const who = shortKey(key);
    if (this.#removed.has(key)) {
      socket.destroy();
      return;
    }
    // One connection per peer: a newer one replaces an older (a reconnect after a network change).
    this.#connections.get(key)?.socket.destroy();
    const reader = new FrameReader(this.options.maxFrameBytes ?? MAX_FRAME_BYTES);
    const traffic = this.#count(key);
    const cutOff = (why: string) => {
      this.options.log(`Peer ${who} was cut off: it sent ${why}.`);
      socket.destroy();
    };
    const onFrame = (bytes: Uint8Array) => {
      if (socket.destroyed) return;
      traffic.bytesIn += bytes.length;
      let messages: PeerMessage[];
      try {
        messages = reader.push(bytes);
      } catch (error) {
        if (error instanceof FrameError) return cutOff(error.message);
        throw error;
      }
      for (const message of messages) {
        traffic.messagesIn++;
        const now = Date.now();
        connection.tokens = Math.min(RATE_BURST, connection.tokens + ((now - connection.refilledAt) / 1000) * RATE_PER_SECOND);
        connection.refilledAt = now;
        if (connection.tokens < 1) return cutOff(`messages faster than ${RATE_PER_SECOND} a second`);
        connection.tokens -= 1;
        if (!this.#handle(connection, key, message, cutOff)) return;
      }
    };
    const channel = openCircleChannel(socket, onFrame);
    if (!channel) return;
    const connection: Connection = { socket, send: channel.send, tokens: RATE_BURST, refilledAt: Date.now() };
    this.#connections.set(key, connection);
    socket.on('error', (error: Error & { code?: string }) => {
      // A reset or a timeout (a system error code) ends the connection quietly, and 'close' says
      // so; anything else is the peer's bytes failing to decode as the connection's channels.
      if (!error.code) this.options.log(`Peer ${who} was cut off: it sent bytes that are not the circle's protocol (${error.message}).`);
    });
    socket.on('close', () => {
      if (this.#connections.get(key) !== connection) return;
      this.#connections.delete(key);
      if (connection.peer) this.options.onPeerGone?.(key);
    });
    // Other protocols share the connection on their own channels (the shared memory's replication).
    this.options.onConnection?.(key, socket);
    this.#write(key, connection, { t: 'hello', v: PROTOCOL_VERSION, name: this.options.name, capacity: this.options.capacity });
  }

  /** Acts on one checked message; false when the peer was cut off. */
  #handle(connection: Connection, key: string, message: PeerMessage, cutOff: (why: string) => void): boolean {
    if (!connection.peer && message.t !== 'hello') {
      cutOff(`a ${message.t} before its hello`);
      return false;
    }
    if (message.t === 'hello') {
      if (connection.peer) {
        cutOff('a second hello');
        return false;
      }
      connection.peer = { publicKey: key, name: message.name, capacity: message.capacity };
      this.options.onPeer?.(connection.peer);
      return true;
    }
    const peer = connection.peer!;
    if (message.t === 'room') peer.capacity = message.capacity;
    const fault = (error: unknown) => {
      if (error instanceof PeerFault) cutOff(error.message);
      else this.options.log(`A message from peer ${shortKey(key)} could not be handled: ${(error as Error).message}`);
    };
    try {
      const handled = this.options.onMessage?.(peer, message);
      if (handled instanceof Promise) handled.catch(fault);
    } catch (error) {
      fault(error);
      return !(error instanceof PeerFault);
    }
    return true;
  }
}
