// Divisions placed across a circle, through the app's services with their own data folders and
// databases, over real Hyperswarm connections on a HyperDHT testnet bound to 127.0.0.1. A child
// placed on a peer moves in two phases: it is never lost (a peer that goes away before it is
// ready leaves the child where it was born) and never born twice (a repeated commit changes
// nothing, a replayed offer is refused). A peer that offers an agent signed by someone else, or
// replays an offer, is cut off and nothing it sent is kept.
import { randomBytes } from 'node:crypto';
import Hyperswarm, { type SwarmSocket } from 'hyperswarm';
import DHT from 'hyperdht';
import { describe, expect, it } from 'vitest';
import { signBundle } from '../../electron/agents/bundle-signature.node';
import { identityFromSeed, identitySeed } from '../../electron/identity/identity.node';
import { exportBundle } from '../../electron/store/agent-bundle.node';
import { PROTOCOL_VERSION, type PeerMessage } from '../../electron/swarm/frames.std';
import { decodeInvite } from '../../electron/swarm/invite.std';
import { insertGenesis } from '../helpers/genesis';
import { circleWire, swarmInstallation, swarmTestnet } from '../helpers/swarm-installation';
import { until } from '../helpers/wait-for';

const net = swarmTestnet();
const { cleanups } = net;

async function installation(name: string) {
  return swarmInstallation(net.testnet, name, cleanups);
}

/**
 * A peer that speaks the protocol by hand, with the identity of `seed`: it says hello with
 * `capacity`, records what it receives, and does what `onMessage` says.
 */
async function handPeer(topic: Uint8Array, seed: Uint8Array, capacity: number, onMessage: (message: PeerMessage, wire: ReturnType<typeof circleWire>) => void = () => {}) {
  const received: PeerMessage[] = [];
  let wire: ReturnType<typeof circleWire> | undefined;
  let socket: SwarmSocket | undefined;
  const swarm = new Hyperswarm({ keyPair: DHT.keyPair(Buffer.from(seed)), dht: net.testnet.createNode() });
  cleanups.push(() => swarm.destroy());
  swarm.on('connection', (s) => {
    socket = s;
    s.on('error', () => {});
    const opened = circleWire(s, (message) => {
      received.push(message);
      onMessage(message, opened);
    });
    wire = opened;
    opened.send({ t: 'hello', v: PROTOCOL_VERSION, name: 'Hand', capacity });
  });
  await swarm.join(Buffer.from(topic), { server: false, client: true }).flushed();
  return {
    swarm,
    received,
    send: (message: PeerMessage) => wire!.send(message),
    connected: () => socket !== undefined && !socket.destroyed,
  };
}

describe('divisions across a circle', () => {
  it('places a divided child on the peer with room: archived here, born there once, signed by its sender', async () => {
    const ana = await installation('Ana');
    const ben = await installation('Ben');
    const code = ana.services.swarm.invite();
    expect(ben.services.swarm.join(code)).toEqual({ inviter: ana.services.identity.publicKey });
    await ana.services.swarm.start();
    await ben.services.swarm.start();
    await until(() => ana.services.swarm.status().peers.some((p) => p.online) && ben.services.swarm.status().peers.some((p) => p.online), 'both to meet');
    expect(ana.services.swarm.status().peers).toMatchObject([{ publicKey: ben.services.identity.publicKey, name: 'Ben', capacity: 10, online: true, removed: false }]);

    const parent = ana.services.agents.life.birth(insertGenesis(ana.db), 'Turing');
    const child = await ana.services.agents.life.divide(parent.id, 'test');
    // The division placed the child (agent.divided): it arrives on Ben and leaves Ana.
    await until(() => ana.services.swarm.status().abroad.some((a) => a.state === 'born'), 'the child to be born on Ben');
    const abroad = ana.services.swarm.status().abroad;
    expect(abroad).toEqual([{ agentId: child.id, name: child.name, peer: ben.services.identity.publicKey, peerName: 'Ben', state: 'born' }]);
    expect(ana.services.agents.life.agent(child.id).state).toBe('archived');
    expect(ana.services.swarm.homes().get(child.id)).toBe(ben.services.identity.publicKey);

    const hosted = ben.services.swarm.status().hosted;
    expect(hosted).toMatchObject([{ name: child.name, peer: ana.services.identity.publicKey, peerName: 'Ana' }]);
    const there = ben.db.prepare('SELECT uid, state, signer, generation FROM agent WHERE id = ?').get(hosted[0]!.agentId);
    expect(there).toEqual({ uid: child.uid, state: 'alive', signer: ana.services.identity.publicKey, generation: 1 });
    // Its parent came along as lineage, so the family tree holds; it lives on Ana, not on Ben.
    const parentThere = ben.db.prepare('SELECT id, state FROM agent WHERE uid = ?').get(parent.uid) as { id: number; state: string };
    expect(parentThere.state).toBe('archived');
    expect(ben.services.swarm.homes().get(parentThere.id)).toBe(ana.services.identity.publicKey);
    // Ben's room shrank by one, and Ana heard it.
    await until(() => ana.services.swarm.status().peers[0]!.capacity === 9, "Ben's new room");

    // The child divides on Ben's machine and its child stays there: Ana's family tree learns of it, living on Ben.
    ben.db.prepare('UPDATE swarm_circle SET place_children = 0').run();
    const grandchild = await ben.services.agents.life.divide(hosted[0]!.agentId, 'test');
    await until(() => ana.db.prepare('SELECT count(*) FROM agent WHERE uid = ?').pluck().get(grandchild.uid) === 1, "Ana's copy of the grandchild");
    const copy = ana.db.prepare('SELECT id, state, parent_id AS parentId, signer FROM agent WHERE uid = ?').get(grandchild.uid) as { id: number; state: string; parentId: number; signer: string };
    expect(copy).toMatchObject({ state: 'archived', parentId: child.id, signer: ben.services.identity.publicKey });
    const tree = ana.services.agents.lineage.tree({ rootId: parent.id });
    expect(tree.homes).toEqual({ [child.id]: 'Ben', [copy.id]: 'Ben' });
    expect(ana.services.agents.view.summary(ana.services.agents.life.agent(copy.id)).home).toEqual({ peer: ben.services.identity.publicKey, name: 'Ben' });
    expect(ben.db.prepare('SELECT sent_at IS NOT NULL FROM swarm_lineage_out WHERE agent_id = ?').pluck().get(grandchild.id)).toBe(1);
    ben.db.prepare('UPDATE swarm_circle SET place_children = 1').run();

    // A second child of the same parent goes the same way; nothing is pending afterwards.
    const second = await ana.services.agents.life.divide(parent.id, 'test');
    await until(() => ana.services.swarm.status().abroad.filter((a) => a.state === 'born').length === 2, 'the second child');
    expect(ben.db.prepare('SELECT count(*) FROM agent WHERE uid = ?').pluck().get(second.uid)).toBe(1);
    // What crossed: the hellos, two offers (a bundle each), readies, commits, borns, Ben's new room and the grandchild's entry.
    expect(ana.services.swarm.status().peers[0]!.traffic).toMatchObject({ messagesOut: 5, messagesIn: 8 });
    expect(ana.services.swarm.status().pending).toEqual([]);
    expect(ben.services.swarm.status().pending).toEqual([]);
    expect(ana.log.concat(ben.log).filter((l) => /cut off/.test(l))).toEqual([]);
  }, 60_000);

  it('keeps the child where it was born when the peer goes away before it is ready, and when nobody has room', async () => {
    const cy = await installation('Cy');
    const topic = decodeInvite(cy.services.swarm.invite()).topic;
    await cy.services.swarm.start();
    const parent = cy.services.agents.life.birth(insertGenesis(cy.db), 'Hopper');
    // Nobody online: the child stays and no transfer is made.
    cy.db.prepare('UPDATE swarm_circle SET place_children = 0').run();
    const alone = await cy.services.agents.life.divide(parent.id, 'test');
    expect(await cy.services.swarm.placeChild(alone.id)).toEqual({ placed: false, reason: 'no peer online offers room' });

    // A peer that dies as the offer arrives (its whole swarm destroyed: every connection gone).
    const dying = await handPeer(topic, randomBytes(32), 50, (message) => {
      if (message.t === 'offer') void dying.swarm.destroy();
    });
    await until(() => cy.services.swarm.status().peers.some((p) => p.online), 'the peer to connect');
    const child = await cy.services.agents.life.divide(parent.id, 'test');
    const placement = await cy.services.swarm.placeChild(child.id);
    expect(placement).toEqual({ placed: false, reason: 'Hand went away' });
    expect(cy.services.agents.life.agent(child.id).state).toBe('alive');
    expect(cy.db.prepare('SELECT state, reason FROM swarm_transfer WHERE key = ?').get(child.uid)).toEqual({ state: 'aborted', reason: 'Hand went away' });
    // Offered again, it is refused here: one division, one key.
    expect(await cy.services.swarm.placeChild(child.id)).toEqual({ placed: false, reason: `${child.name} was offered to a peer before` });
  }, 60_000);

  it('commits a child whose peer went away after it was ready, and sends the commit again when the peer is back', async () => {
    const dee = await installation('Dee');
    const topic = decodeInvite(dee.services.swarm.invite()).topic;
    await dee.services.swarm.start();
    const seed = randomBytes(32);
    const first = await handPeer(topic, seed, 50, (message, wire) => {
      if (message.t === 'offer') {
        // Gone once the ready is on its way (destroyed at once, the ready would be lost with it).
        wire.send({ t: 'ready', key: message.key });
        setTimeout(() => void first.swarm.destroy(), 300);
      }
    });
    await until(() => dee.services.swarm.status().peers.some((p) => p.online), 'the peer to connect');
    dee.db.prepare('UPDATE swarm_circle SET place_children = 0').run();
    const parent = dee.services.agents.life.birth(insertGenesis(dee.db), 'Lovelace');
    const child = await dee.services.agents.life.divide(parent.id, 'test');
    const placement = await dee.services.swarm.placeChild(child.id);
    expect(placement).toMatchObject({ placed: true, peerName: 'Hand' });
    expect(dee.services.agents.life.agent(child.id).state).toBe('archived');
    expect(dee.services.swarm.status().pending).toEqual([{ key: child.uid, direction: 'out', peer: identityFromSeed(seed).publicKey, state: 'committed' }]);
    // The same peer comes back: the commit is sent again; its born settles the move.
    const again = await handPeer(topic, seed, 50, (message, wire) => {
      if (message.t === 'commit') wire.send({ t: 'born', key: message.key });
    });
    await until(() => again.received.some((m) => m.t === 'commit' && m.key === child.uid), 'the commit sent again');
    await until(() => dee.services.swarm.status().pending.length === 0, 'the born');
    expect(dee.services.swarm.status().abroad).toMatchObject([{ agentId: child.id, state: 'born' }]);
  }, 60_000);

  it('cuts off a peer that offers an agent signed by someone else or replays an offer, and keeps nothing it sent', async () => {
    const eve = await installation('Eve');
    const topic = decodeInvite(eve.services.swarm.invite()).topic;
    await eve.services.swarm.start();
    // Fay has an agent, signed by Fay; Mallory (another key) offers it as Mallory's own.
    const fay = await installation('Fay');
    const fayAgent = fay.services.agents.life.birth(insertGenesis(fay.db), 'Fay');
    const fayBundle = JSON.stringify(signBundle(exportBundle(fay.db, fayAgent.id, Date.now()), fay.services.identity));
    const mallory = await handPeer(topic, randomBytes(32), 0);
    await until(() => mallory.connected() && eve.services.swarm.status().peers.some((p) => p.online), 'Mallory to connect');
    const before = eve.log.length;
    mallory.send({ t: 'offer', key: fayAgent.uid, bundle: fayBundle });
    await until(() => eve.log.length > before, "Eve's log of Mallory");
    expect(eve.log.at(-1)).toMatch(/^Peer [0-9a-f]{4}·[0-9a-f]{4} was cut off: it sent an agent signed by another installation \([0-9a-f]{4}·[0-9a-f]{4}\) as its own\.$/);
    expect(eve.db.prepare('SELECT count(*) FROM swarm_transfer').pluck().get()).toBe(0);
    expect(eve.db.prepare('SELECT count(*) FROM agent').pluck().get()).toBe(0);

    // Fay herself offers it: Eve keeps the offer, is told to commit, gives birth once.
    const fayPeer = await handPeer(topic, identitySeed(fay.dir.path), 0);
    await until(() => fayPeer.connected(), 'Fay to connect');
    fayPeer.send({ t: 'offer', key: fayAgent.uid, bundle: fayBundle });
    await until(() => fayPeer.received.some((m) => m.t === 'ready'), "Eve's ready");
    fayPeer.send({ t: 'commit', key: fayAgent.uid });
    fayPeer.send({ t: 'commit', key: fayAgent.uid }); // twice: the second changes nothing
    await until(() => fayPeer.received.filter((m) => m.t === 'born').length === 2, "Eve's born, twice");
    expect(eve.db.prepare('SELECT count(*) FROM agent WHERE uid = ?').pluck().get(fayAgent.uid)).toBe(1);
    expect(eve.services.swarm.status().hosted).toMatchObject([{ name: 'Fay', peerName: 'Hand' }]);

    // The same offer once more, after its birth: a replay. Fay is cut off; still one Fay.
    const cut = eve.log.length;
    fayPeer.send({ t: 'offer', key: fayAgent.uid, bundle: fayBundle });
    await until(() => eve.log.length > cut, "Eve's log of the replay");
    expect(eve.log.at(-1)).toMatch(/cut off: it sent an offer of an agent that was offered before \([0-9a-f]{12}…\): a replay\.$/);
    expect(eve.db.prepare('SELECT count(*) FROM agent WHERE uid = ?').pluck().get(fayAgent.uid)).toBe(1);

    // Back, Fay tells of a descendant of an agent Eve never placed with her: cut off, nothing kept.
    const fayAgain = await handPeer(topic, identitySeed(fay.dir.path), 0);
    await until(() => fayAgain.connected(), 'Fay to be back');
    const told = eve.log.length;
    const fayChild = await fay.services.agents.life.divide(fayAgent.id, 'test');
    fayAgain.send({ t: 'lineage', bundle: JSON.stringify(signBundle(exportBundle(fay.db, fayChild.id, Date.now()), fay.services.identity)), home: fay.services.identity.publicKey });
    await until(() => eve.log.length > told, "Eve's log of the family tree entry");
    expect(eve.log.at(-1)).toMatch(/cut off: it sent a family tree entry for agents this installation never placed there\.$/);
    expect(eve.db.prepare('SELECT count(*) FROM agent WHERE uid = ?').pluck().get(fayChild.uid)).toBe(0);

    // Removed, Fay is refused from then on.
    eve.services.swarm.remove(identityFromSeed(identitySeed(fay.dir.path)).publicKey);
    await until(() => !eve.services.swarm.status().peers.some((p) => p.online), 'the removal');
    expect(eve.services.swarm.status().peers.find((p) => p.name === 'Hand' && p.removed)).toBeDefined();
  }, 90_000);
});
