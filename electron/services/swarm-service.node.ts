// The swarm as the app runs it: the circle this installation joined (off until the user makes
// or joins one: nothing leaves the machine before), its peers, and divisions placed across it.
//
// A child placed on a peer moves in two phases, so that it is never lost and never born twice.
// It is born here first, as every child is. Its signed bundle is offered to a peer with room;
// the peer keeps the offer and says ready. Only then does this side decide, in one transaction:
// the child is archived here and the transfer committed; the peer, told to commit, gives birth
// and says born. Without a ready in time (a decline, the peer gone, a timeout) the transfer is
// aborted and the child simply stays. A peer holding an offer whose answer it missed asks again
// when it reconnects, and a commit whose answer was missed is sent again. Every transfer's key
// is the child's uid, so a repeated message changes nothing and a replayed offer is refused.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import DHT from 'hyperdht';
import type { SwarmStatus } from '../api/contract.std';
import type { EventHub } from '../api/event-hub.std';
import { ApiError } from '../api/api-error.std';
import { checkedBundle, signBundle } from '../agents/bundle-signature.node';
import type { Identity } from '../identity/identity.node';
import { shortKey } from '../identity/short-key.std';
import type { SwarmSocket } from 'hyperswarm';
import { Circle, PeerFault, type Peer } from '../swarm/circle.node';
import { MAX_BUNDLE_CHARS, type PeerMessage } from '../swarm/frames.std';
import { decodeInvite, encodeInvite, InviteError } from '../swarm/invite.std';
import { BundleError, exportBundle, importBundle } from '../store/agent-bundle.node';
import type { Database } from '../store/database.node';
import { agentWithUid, ancestors, archiveAgent, getAgent } from '../store/lineage.node';
import {
  deleteCircle,
  getPeer,
  getTransfer,
  homesAbroad,
  hostedFor,
  insertTransfer,
  listPeers,
  listTransfers,
  markLineageSent,
  moveTransfer,
  notePeer,
  originsOf,
  queueLineage,
  readCircle,
  removedPeers,
  removePeer,
  setHome,
  unsentLineage,
  updateCircle,
  writeCircle,
  type TransferRow,
} from '../store/swarm.node';

/** How long a placed child waits for the peer to say ready before it stays here. */
export const OFFER_TIMEOUT_MS = 20_000;

export interface SwarmServiceOptions {
  /** HyperDHT bootstrap nodes as host:port (a private network, or a test's); default: the public ones. */
  bootstrap?: readonly string[];
  /** What this installation calls itself to its peers; default: the computer's name. */
  name?: string;
  offerTimeoutMs?: number;
  log: (line: string) => void;
  now: () => number;
}

export type Placement = { placed: true; peer: string; peerName: string } | { placed: false; reason: string };

type Outcome = { ready: true } | { ready: false; reason: string };

/** A part of the protocol run beside the divisions (the council across the circle). */
export interface CircleExtension {
  /** Handles a checked message if it is one of this extension's; throws PeerFault when it breaks a rule. */
  receive?(peer: Peer, message: PeerMessage): boolean | Promise<boolean>;
  /** A connection was accepted (before its hello): for protocols on channels of their own. */
  connected?(publicKey: string, socket: SwarmSocket): void;
  /** A peer said hello. */
  met?(peer: Peer): void;
  peerGone?(key: string): void;
  /** The circle stopped (left, or the app is closing). */
  stopped?(): Promise<void>;
}

export class SwarmService {
  #circle: Circle | undefined;
  #starting: Promise<void> | undefined;
  readonly #waiting = new Map<string, { peer: string; settle: (outcome: Outcome) => void }>();
  #offDivided: (() => void) | undefined;
  readonly #extensions: CircleExtension[] = [];

  constructor(
    private readonly database: Database,
    private readonly hub: EventHub,
    private readonly identity: () => Identity,
    /** The identity's seed (HyperDHT's key pair comes from it); read only when the circle starts. */
    private readonly identitySeed: () => Uint8Array,
    private readonly options: SwarmServiceOptions,
  ) {}

  get #db() {
    return this.database.connection;
  }

  get running(): boolean {
    return this.#circle !== undefined;
  }

  status(): SwarmStatus {
    const circle = readCircle(this.#db);
    const online = new Set(this.#circle?.peers.map((p) => p.publicKey) ?? []);
    const peers = listPeers(this.#db);
    const nameOf = (key: string) => peers.find((p) => p.publicKey === key)?.name ?? shortKey(key);
    const agentName = (id: number | null) => (id === null ? '(gone)' : (getAgent(this.#db, id)?.name ?? '(gone)'));
    const transfers = listTransfers(this.#db);
    return {
      self: circle ? this.identity().publicKey : null,
      circle: circle ? { inviter: circle.inviter, joinedAt: circle.joinedAt, capacity: circle.capacity, placeChildren: circle.placeChildren } : null,
      running: this.running,
      peers: peers.map((p) => ({
        publicKey: p.publicKey,
        name: p.name,
        capacity: p.capacity,
        online: online.has(p.publicKey),
        lastSeen: p.lastSeen,
        removed: p.removedAt !== null,
        traffic: this.#circle?.traffic(p.publicKey) ?? { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 },
      })),
      abroad: transfers
        .filter((t) => t.direction === 'out' && (t.state === 'committed' || t.state === 'born') && t.agentId !== null)
        .map((t) => ({ agentId: t.agentId!, name: agentName(t.agentId), peer: t.peer, peerName: nameOf(t.peer), state: t.state as 'committed' | 'born' })),
      hosted: transfers
        .filter((t) => t.direction === 'in' && t.state === 'born' && t.agentId !== null)
        .map((t) => ({ agentId: t.agentId!, name: agentName(t.agentId), peer: t.peer, peerName: nameOf(t.peer) })),
      pending: transfers.filter((t) => t.state === 'offered' || t.state === 'ready' || (t.direction === 'out' && t.state === 'committed')).map((t) => ({ key: t.key, direction: t.direction, peer: t.peer, state: t.state })),
    };
  }

  /** Whether this installation is in a circle (joined, connected or not). */
  get inCircle(): boolean {
    return readCircle(this.#db) !== undefined;
  }

  /** The name a peer gave itself, or its short key when it never said hello. */
  peerName(key: string): string {
    return getPeer(this.#db, key)?.name ?? shortKey(key);
  }

  use(extension: CircleExtension): void {
    this.#extensions.push(extension);
  }

  /** The peers connected now. */
  onlinePeers(): Peer[] {
    return this.#circle?.peers ?? [];
  }

  /** Sends a message to a connected peer; false when it is not connected. */
  send(publicKey: string, message: PeerMessage): boolean {
    return this.#circle?.send(publicKey, message) ?? false;
  }

  /** Where each agent that moved to a peer lives now: agent id → the peer's key. */
  homes(): Map<number, string> {
    return homesAbroad(this.#db);
  }

  /** An invite code to this installation's circle, making the circle first if there is none. */
  invite(): string {
    let circle = readCircle(this.#db);
    if (!circle) {
      writeCircle(this.#db, { topic: randomBytes(32), inviter: this.identity().publicKey, joinedAt: this.options.now() });
      circle = readCircle(this.#db)!;
    }
    return encodeInvite({ topic: circle.topic, inviter: this.identity().publicKey });
  }

  /** Joins the circle of an invite code (kept, so the app rejoins it when it starts). */
  join(code: string): { inviter: string } {
    let invite;
    try {
      invite = decodeInvite(code);
    } catch (error) {
      if (error instanceof InviteError) throw new ApiError('invalid_params', error.message, undefined, { cause: error });
      throw error;
    }
    if (invite.inviter === this.identity().publicKey) throw new ApiError('invalid_params', 'This invite was made here: give it to a friend, who joins with it.');
    const current = readCircle(this.#db);
    if (current && Buffer.from(current.topic).equals(Buffer.from(invite.topic))) return { inviter: current.inviter };
    if (current) throw new ApiError('failed_precondition', 'This installation is in another circle: leave it first (lightseed swarm leave).');
    writeCircle(this.#db, { topic: invite.topic, inviter: invite.inviter, joinedAt: this.options.now() });
    return { inviter: invite.inviter };
  }

  /** Sets the room this installation offers and whether its children may be placed on peers. */
  settings(change: { capacity?: number; placeChildren?: boolean }): SwarmStatus {
    if (!readCircle(this.#db)) throw new ApiError('failed_precondition', 'Not in a circle: make one or join one first.');
    updateCircle(this.#db, change);
    this.#circle?.announce(this.#room());
    return this.status();
  }

  /** Leaves the circle: disconnects and forgets its topic. Peers met and transfers made are kept. */
  async leave(): Promise<boolean> {
    await this.stop();
    const had = readCircle(this.#db) !== undefined;
    deleteCircle(this.#db);
    return had;
  }

  /** Refuses a peer from now on (at the handshake) and ends its connection. */
  remove(key: string): void {
    const peer = /^[0-9a-f]{64}$/.test(key) ? key : listPeers(this.#db).find((p) => p.publicKey.startsWith(key.toLowerCase()) || p.name === key)?.publicKey;
    if (!peer) throw new ApiError('not_found', `No peer is known by "${key}": give its key (or its start) or its name, as lightseed swarm status shows them.`);
    removePeer(this.#db, peer, this.options.now());
    this.#circle?.remove(peer);
  }

  /** Connects to the circle, if this installation joined one; nothing happens otherwise. */
  start(): Promise<void> {
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    const circle = readCircle(this.#db);
    if (!circle || this.#circle) return;
    const bootstrap = this.options.bootstrap?.map(parseHostPort);
    const loopback = bootstrap !== undefined && bootstrap.every((b) => b.host === '127.0.0.1' || b.host === 'localhost');
    const dht = bootstrap ? new DHT({ bootstrap, ...(loopback ? { host: '127.0.0.1' } : {}) }) : undefined;
    const swarmCircle = new Circle({
      identitySeed: this.identitySeed(),
      topic: circle.topic,
      name: (this.options.name ?? hostname()).slice(0, 60) || 'LightSeed',
      capacity: this.#room(),
      removed: removedPeers(this.#db),
      ...(dht ? { dht } : {}),
      log: this.options.log,
      onPeer: (peer) => this.#met(peer),
      onPeerGone: (key) => this.#gone(key),
      onMessage: (peer, message) => this.#receive(peer, message),
      onConnection: (key, socket) => this.#extensions.forEach((e) => e.connected?.(key, socket)),
    });
    this.#circle = swarmCircle;
    this.#offDivided = this.hub.on('agent.divided', ({ childId }) => {
      void (async () => {
        const placement = readCircle(this.#db)?.placeChildren ? await this.placeChild(childId) : undefined;
        this.#shareLineage(childId, placement);
      })().catch((error: unknown) => this.options.log(`A child could not be placed on a peer, or its family told: ${(error as Error).message}`));
    });
    await swarmCircle.join();
  }

  async stop(): Promise<void> {
    const circle = this.#circle;
    this.#circle = undefined;
    this.#offDivided?.();
    this.#offDivided = undefined;
    for (const [key, waiter] of this.#waiting) {
      this.#waiting.delete(key);
      waiter.settle({ ready: false, reason: 'the circle was left' });
    }
    await circle?.leave();
    for (const extension of this.#extensions) await extension.stopped?.();
  }

  /** Room this installation offers its peers: its capacity less the agents it hosts. */
  #room(): number {
    const circle = readCircle(this.#db);
    return Math.max(0, (circle?.capacity ?? 0) - hostedFor(this.#db));
  }

  /**
   * Offers a child (already born here) to the online peer with the most room. Resolves once the
   * peer holds the offer and the move is committed, or with the reason the child stays here.
   */
  async placeChild(agentId: number): Promise<Placement> {
    const circle = this.#circle;
    if (!circle) return { placed: false, reason: 'this installation is not connected to a circle' };
    const child = getAgent(this.#db, agentId);
    if (!child || child.state !== 'alive') return { placed: false, reason: `agent ${agentId} is not a living agent here` };
    if (getTransfer(this.#db, child.uid)) return { placed: false, reason: `${child.name} was offered to a peer before` };
    const candidates = circle.peers.filter((p) => p.capacity > 0).sort((a, b) => b.capacity - a.capacity || a.publicKey.localeCompare(b.publicKey));
    const peer = candidates[0];
    if (!peer) return { placed: false, reason: 'no peer online offers room' };
    const text = JSON.stringify(signBundle(exportBundle(this.#db, agentId, this.options.now()), this.identity()));
    if (text.length > MAX_BUNDLE_CHARS) return { placed: false, reason: `${child.name}'s bundle (${text.length} characters) is over what one message carries` };
    const key = child.uid;
    insertTransfer(this.#db, { key, direction: 'out', peer: peer.publicKey, agentId, bundle: null, state: 'offered', createdAt: this.options.now() });
    const outcome = await new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => settle({ ready: false, reason: `${peer.name} did not answer within ${Math.round(this.#offerTimeout / 1000)} s` }), this.#offerTimeout);
      const settle = (result: Outcome) => {
        clearTimeout(timer);
        this.#waiting.delete(key);
        resolve(result);
      };
      this.#waiting.set(key, { peer: peer.publicKey, settle });
      if (!circle.send(peer.publicKey, { t: 'offer', key, bundle: text })) settle({ ready: false, reason: `${peer.name} went away` });
    });
    const now = this.options.now();
    if (outcome.ready) {
      // The decision, durably: from here the child belongs to the peer, which is told to give birth.
      const committed = this.#db.transaction(() => {
        if (!moveTransfer(this.#db, key, ['offered'], 'committed', now)) return false;
        archiveAgent(this.#db, agentId, now);
        setHome(this.#db, agentId, peer.publicKey);
        return true;
      })();
      if (committed) {
        circle.send(peer.publicKey, { t: 'commit', key });
        this.#changed();
        return { placed: true, peer: peer.publicKey, peerName: peer.name };
      }
    }
    const reason = outcome.ready ? 'the offer was settled meanwhile' : outcome.reason;
    moveTransfer(this.#db, key, ['offered'], 'aborted', now, { reason });
    circle.send(peer.publicKey, { t: 'abort', key });
    return { placed: false, reason };
  }

  get #offerTimeout(): number {
    return this.options.offerTimeoutMs ?? OFFER_TIMEOUT_MS;
  }

  /** Tells the app's windows that the circle changed (they fetch swarm.status again). */
  #changed(): void {
    const peers = listPeers(this.#db).length;
    this.hub.emit('swarm.changed', { peers, online: this.#circle?.peers.length ?? 0 });
  }

  /**
   * Tells the peers the child's line came from (each that placed one of its ancestors here)
   * about the child, so their family trees show it: now if they are online, else when they are.
   */
  #shareLineage(childId: number, placement: Placement | undefined): void {
    const line = ancestors(this.#db, childId).map((a) => a.id);
    const self = this.identity().publicKey;
    for (const origin of originsOf(this.#db, line)) {
      if (placement?.placed && placement.peer === origin) continue; // it lives there now
      queueLineage(this.#db, childId, origin, placement?.placed ? placement.peer : self);
    }
    for (const peer of this.#circle?.peers ?? []) this.#sendLineage(peer.publicKey);
  }

  #sendLineage(peer: string): void {
    for (const { agentId, home } of unsentLineage(this.#db, peer)) {
      const bundle = JSON.stringify(signBundle(exportBundle(this.#db, agentId, this.options.now()), this.identity()));
      if (bundle.length > MAX_BUNDLE_CHARS) {
        markLineageSent(this.#db, agentId, peer, this.options.now()); // too big for one message: that branch stays unknown there
        continue;
      }
      if (!this.#circle?.send(peer, { t: 'lineage', bundle, home })) return;
      markLineageSent(this.#db, agentId, peer, this.options.now());
    }
  }

  /** A peer tells of a descendant of an agent placed there: kept as its copy, living where the peer says. */
  #lineageFrom(peer: Peer, text: string, home: string): void {
    let checked;
    try {
      checked = checkedBundle(text, this.options.now());
    } catch (error) {
      if (error instanceof BundleError) throw new PeerFault(`a family tree entry that fails its checks (${error.message})`);
      throw error;
    }
    if (checked.signer !== peer.publicKey) throw new PeerFault('a family tree entry signed by another installation');
    const placed = homesAbroad(this.#db);
    const fromHere = checked.bundle.lineage.some((a) => {
      const local = agentWithUid(this.#db, a.uid);
      return local !== undefined && placed.get(local.id) === peer.publicKey;
    });
    if (!fromHere) throw new PeerFault('a family tree entry for agents this installation never placed there');
    if (agentWithUid(this.#db, checked.bundle.agent.uid)) return; // told before, or it came here itself
    const now = this.options.now();
    const db = this.#db;
    db.transaction(() => {
      // Ancestors not told of yet come along: they live with the peer that told.
      const fresh = checked.bundle.lineage.filter((a) => !agentWithUid(db, a.uid)).map((a) => a.uid);
      const result = importBundle(db, checked.bundle, { signer: checked.signer });
      for (const [id, where] of [...fresh.map((uid) => [agentWithUid(db, uid)!.id, peer.publicKey] as const), [result.agentId, home] as const]) {
        if (getAgent(db, id)!.state === 'alive') archiveAgent(db, id, now);
        setHome(db, id, where);
      }
    })();
    this.#changed();
  }

  #met(peer: Peer): void {
    notePeer(this.#db, peer, this.options.now());
    this.#changed();
    this.#sendLineage(peer.publicKey);
    for (const extension of this.#extensions) extension.met?.(peer);
    // Finish what a lost connection left open: commits not yet answered, offers not yet decided.
    for (const t of listTransfers(this.#db, { peer: peer.publicKey, states: ['committed', 'ready'] })) {
      if (t.direction === 'out' && t.state === 'committed') this.#circle?.send(peer.publicKey, { t: 'commit', key: t.key });
      if (t.direction === 'in' && t.state === 'ready') this.#circle?.send(peer.publicKey, { t: 'query', key: t.key });
    }
  }

  #gone(key: string): void {
    for (const extension of this.#extensions) extension.peerGone?.(key);
    this.#changed();
    for (const waiter of this.#waiting.values()) {
      if (waiter.peer === key) waiter.settle({ ready: false, reason: `${this.peerName(key)} went away` });
    }
  }

  #receive(peer: Peer, message: PeerMessage): void | Promise<void> {
    const from = peer.publicKey;
    const now = this.options.now();
    const transferFrom = (key: string, direction: 'out' | 'in'): TransferRow | undefined => {
      const t = getTransfer(this.#db, key);
      return t && t.peer === from && t.direction === direction ? t : undefined;
    };
    switch (message.t) {
      case 'hello':
      case 'ping':
        return;
      case 'room':
        notePeer(this.#db, peer, now);
        return;
      case 'offer':
        return this.#offered(peer, message.key, message.bundle);
      case 'ready':
      case 'decline': {
        const t = transferFrom(message.key, 'out');
        if (!t) throw new PeerFault(`a ${message.t} for an offer it was never made`);
        const waiter = this.#waiting.get(message.key);
        if (waiter) waiter.settle(message.t === 'ready' ? { ready: true } : { ready: false, reason: `${peer.name} declined: ${message.reason}` });
        else if (t.state === 'aborted') this.#circle?.send(from, { t: 'abort', key: message.key });
        return;
      }
      case 'commit': {
        const t = transferFrom(message.key, 'in');
        if (!t) throw new PeerFault('a commit for an offer it never made');
        if (t.state === 'ready') this.#giveBirth(peer, t);
        if (t.state === 'born' || getTransfer(this.#db, t.key)?.state === 'born') this.#circle?.send(from, { t: 'born', key: t.key });
        return;
      }
      case 'abort': {
        // An abort for an offer that never arrived needs nothing.
        const t = transferFrom(message.key, 'in');
        if (t) moveTransfer(this.#db, t.key, ['ready', 'offered'], 'aborted', now, { bundle: null, reason: `${peer.name} kept the child` });
        return;
      }
      case 'born': {
        const t = transferFrom(message.key, 'out');
        if (!t) throw new PeerFault('a born for a child it was never given');
        if (moveTransfer(this.#db, t.key, ['committed'], 'born', now)) this.#changed();
        return;
      }
      case 'query': {
        const t = transferFrom(message.key, 'out');
        const decided = t?.state === 'committed' || t?.state === 'born';
        if (t?.state !== 'offered') this.#circle?.send(from, decided ? { t: 'commit', key: message.key } : { t: 'abort', key: message.key });
        return;
      }
      case 'lineage':
        return this.#lineageFrom(peer, message.bundle, message.home);
      default:
        return this.#extend(peer, message);
    }
  }

  async #extend(peer: Peer, message: PeerMessage): Promise<void> {
    for (const extension of this.#extensions) if (await extension.receive?.(peer, message)) return;
    throw new PeerFault(`a ${message.t} message, which this installation does not take`);
  }

  /** A peer offers a child: checked whole, kept (not yet born) and answered ready, or declined. */
  #offered(peer: Peer, key: string, text: string): void {
    const from = peer.publicKey;
    const known = getTransfer(this.#db, key);
    if (known) {
      // The same offer again from its sender while undecided is a retry; anything else is a replay.
      if (known.direction === 'in' && known.peer === from && known.state === 'ready') {
        this.#circle?.send(from, { t: 'ready', key });
        return;
      }
      throw new PeerFault(`an offer of an agent that was offered before (${key.slice(0, 12)}…): a replay`);
    }
    let checked;
    try {
      checked = checkedBundle(text, this.options.now());
    } catch (error) {
      if (error instanceof BundleError) throw new PeerFault(`an agent bundle that fails its checks (${error.message})`);
      throw error;
    }
    if (checked.signer !== from) {
      throw new PeerFault(`an agent signed by ${checked.signer ? `another installation (${shortKey(checked.signer)})` : 'no one'} as its own`);
    }
    if (checked.bundle.agent.uid !== key) throw new PeerFault("an offer whose key is not its agent's uid");
    if (agentWithUid(this.#db, checked.bundle.agent.uid)) {
      this.#circle?.send(from, { t: 'decline', key, reason: `${checked.bundle.agent.name} already lives here` });
      return;
    }
    if (this.#room() <= 0) {
      this.#circle?.send(from, { t: 'decline', key, reason: 'no room left here' });
      return;
    }
    insertTransfer(this.#db, { key, direction: 'in', peer: from, agentId: null, bundle: text, state: 'ready', createdAt: this.options.now() });
    this.#circle?.send(from, { t: 'ready', key });
  }

  /** The sender committed: the kept bundle becomes an agent here, once. */
  #giveBirth(peer: Peer, transfer: TransferRow): void {
    const now = this.options.now();
    const db = this.#db;
    try {
      const checked = checkedBundle(transfer.bundle!, now);
      db.transaction(() => {
        const ancestors = checked.bundle.lineage.filter((a) => !agentWithUid(db, a.uid));
        const result = importBundle(db, checked.bundle, { signer: checked.signer });
        // Ancestors new here are copies of the sender's record: they live there, not here.
        for (const ancestor of ancestors) {
          const copy = agentWithUid(db, ancestor.uid)!;
          if (copy.state === 'alive') archiveAgent(db, copy.id, now);
          setHome(db, copy.id, peer.publicKey);
        }
        moveTransfer(db, transfer.key, ['ready'], 'born', now, { agentId: result.agentId, bundle: null });
      })();
    } catch (error) {
      // The offer stays ready with its bundle: the child is the sender's decision now, so the
      // birth is tried again when the sender sends its commit again (after a reconnect).
      this.options.log(`A child from ${peer.name} could not be born here yet: ${(error as Error).message}`);
      return;
    }
    this.#circle?.announce(this.#room());
    this.#changed();
  }
}

function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new ApiError('invalid_params', `A bootstrap node is host:port, not "${text}".`);
  return { host: match[1]!, port };
}
