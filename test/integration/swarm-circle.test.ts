// Circles over real Hyperswarm connections on a HyperDHT testnet bound to 127.0.0.1: two
// installations join by an invite code and know each other by their identity keys; a peer that
// sends an oversized frame, a frame that is not JSON, a message of no known shape or a flood is
// cut off and logged; a removed peer is refused at the handshake.
import { randomBytes } from 'node:crypto';
import Hyperswarm from 'hyperswarm';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromSeed } from '../../electron/identity/identity.node';
import { Circle, RATE_BURST, type Peer } from '../../electron/swarm/circle.node';
import { encodeFrame, FrameReader, MAX_FRAME_BYTES } from '../../electron/swarm/frames.std';
import { decodeInvite, encodeInvite } from '../../electron/swarm/invite.std';
import { until } from '../helpers/wait-for';
import { circleWire } from '../helpers/swarm-installation';

let testnet: Testnet;
const circles: Circle[] = [];
const swarms: Hyperswarm[] = [];

beforeAll(async () => {
  testnet = await createTestnet(3);
}, 30_000);
afterAll(async () => {
  for (const c of circles) await c.leave();
  for (const s of swarms) await s.destroy();
  await testnet.destroy();
});

function installation(name: string, topic: Uint8Array, log: string[] = [], removed: string[] = []) {
  const seed = randomBytes(32);
  const gone: string[] = [];
  const met: Peer[] = [];
  const circle = new Circle({
    identitySeed: seed,
    topic,
    name,
    capacity: 10,
    removed,
    dht: testnet.createNode(),
    log: (line) => log.push(line),
    onPeer: (peer) => met.push(peer),
    onPeerGone: (key) => gone.push(key),
  });
  circles.push(circle);
  return { circle, identity: identityFromSeed(seed), log, gone, met };
}

describe('invite codes', () => {
  it('carry the topic and the inviter, and refuse what is not one', () => {
    const topic = randomBytes(32);
    const inviter = identityFromSeed(randomBytes(32)).publicKey;
    const code = encodeInvite({ topic, inviter });
    expect(code).toMatch(/^lightseed-circle:[A-Za-z0-9_-]{87}$/);
    expect(decodeInvite(` ${code}\n`)).toEqual({ topic: new Uint8Array(topic), inviter });
    expect(() => decodeInvite(code.slice(0, -3))).toThrow(/cut short/);
    expect(() => decodeInvite('hello')).toThrow(/not a LightSeed circle invite/);
    expect(() => decodeInvite(`lightseed-circle:Z${code.slice(18)}`)).toThrow(/invite is of version 101; this LightSeed reads version 1/);
  });
});

describe('frames', () => {
  it('come back whole however the stream is cut', () => {
    const frames = [encodeFrame({ t: 'hello', v: 1, name: 'Ana’s laptop', capacity: 3 }), encodeFrame({ t: 'ping', at: 5 })];
    const bytes = Buffer.concat(frames);
    const reader = new FrameReader();
    const got = [...bytes].flatMap((b) => reader.push(Uint8Array.of(b)));
    expect(got).toEqual([
      { t: 'hello', v: 1, name: 'Ana’s laptop', capacity: 3 },
      { t: 'ping', at: 5 },
    ]);
  });
});

describe('a circle on a local HyperDHT testnet', () => {
  const topic = randomBytes(32);
  let ana: ReturnType<typeof installation>;
  let ben: ReturnType<typeof installation>;

  it('joins two installations by an invite code; each knows the other by its identity key', async () => {
    ana = installation('Ana', topic);
    await ana.circle.join();
    const invite = decodeInvite(encodeInvite({ topic, inviter: ana.identity.publicKey }));
    ben = installation('Ben', invite.topic);
    await ben.circle.join();
    await until(() => ana.circle.peers.length === 1 && ben.circle.peers.length === 1, 'both hellos');
    expect(ana.circle.publicKey).toBe(ana.identity.publicKey);
    expect(ben.circle.peers).toEqual([{ publicKey: invite.inviter, name: 'Ana', capacity: 10 }]);
    expect(ana.circle.peers).toEqual([{ publicKey: ben.identity.publicKey, name: 'Ben', capacity: 10 }]);
    expect(ana.met).toEqual(ana.circle.peers);
    expect(ben.met).toEqual(ben.circle.peers);
  }, 30_000);

  it('cuts off a peer that breaks the protocol, logs why, and keeps its good peers', async () => {
    for (const [label, bytes, why] of [
      ['oversized', (() => {
        const frame = new Uint8Array(4);
        new DataView(frame.buffer).setUint32(0, MAX_FRAME_BYTES + 1);
        return frame;
      })(), `a frame of ${MAX_FRAME_BYTES + 1} bytes, over the ${MAX_FRAME_BYTES}-byte limit`],
      ['not JSON', Uint8Array.of(0, 0, 0, 3, 0x7b, 0x7b, 0x7b), 'a frame that is not UTF-8 JSON'],
      ['unknown shape', encodeFrame({ t: 'steal', agent: 1 } as never), 'a message of no known shape'],
      ['no hello', encodeFrame({ t: 'ping', at: 1 }), 'a ping before its hello'],
    ] as const) {
      const rogue = new Hyperswarm({ dht: testnet.createNode() });
      swarms.push(rogue);
      const before = ana.log.length;
      rogue.on('connection', (socket) => {
        socket.on('error', () => {});
        circleWire(socket).write(bytes);
      });
      await rogue.join(topic, { server: false, client: true }).flushed();
      await until(() => ana.log.length > before, `Ana's log of the ${label} peer`);
      expect(ana.log.at(-1)).toMatch(new RegExp(`^Peer [0-9a-f]{4}·[0-9a-f]{4} was cut off: it sent ${why.replace(/[()]/g, '\\$&')}`));
      await rogue.destroy();
    }
    // Bytes that are not even the connection's channels (no Protomux framing at all).
    const garbage = new Hyperswarm({ dht: testnet.createNode() });
    swarms.push(garbage);
    const beforeGarbage = ana.log.length;
    garbage.on('connection', (socket) => {
      socket.on('error', () => {});
      socket.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3));
    });
    await garbage.join(topic, { server: false, client: true }).flushed();
    await until(() => ana.log.length > beforeGarbage, "Ana's log of the garbage");
    expect(ana.log.at(-1)).toMatch(/^Peer [0-9a-f]{4}·[0-9a-f]{4} was cut off: it sent bytes that are not the circle's protocol \(.+\)\.$/);
    await garbage.destroy();

    // A flood: more messages at once than the burst allows.
    const flood = new Hyperswarm({ dht: testnet.createNode() });
    swarms.push(flood);
    const before = ana.log.length;
    flood.on('connection', (socket) => {
      socket.on('error', () => {});
      const wire = circleWire(socket);
      wire.send({ t: 'hello', v: 1, name: 'Flood', capacity: 0 });
      for (let i = 0; i <= RATE_BURST + 5; i++) wire.send({ t: 'ping', at: i });
    });
    await flood.join(topic, { server: false, client: true }).flushed();
    await until(() => ana.log.slice(before).some((line) => line.includes('messages faster than')), "Ana's log of the flood");
    await flood.destroy();
    expect(ana.circle.peers.map((p) => p.name)).toEqual(['Ben']);
  }, 60_000);

  it('refuses a removed peer at the handshake, also when it comes back', async () => {
    ana.circle.remove(ben.identity.publicKey);
    await until(() => ana.circle.peers.length === 0 && ben.circle.peers.length === 0, 'the removal');
    expect(ana.gone.at(-1)).toBe(ben.identity.publicKey); // after the flooding peer, which had said hello
    await until(() => ben.gone.includes(ana.identity.publicKey), "Ben's notice that Ana is gone");
    // Ben keeps looking for the topic; Ana's firewall refuses him before any data flows.
    await ben.circle.leave();
    circles.splice(circles.indexOf(ben.circle), 1);
    const back = new Circle({ identitySeed: ben.identity.seed, topic, name: 'Ben again', capacity: 1, dht: testnet.createNode(), log: () => {} });
    circles.push(back);
    await back.join();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(ana.circle.peers).toEqual([]);
    expect(back.peers).toEqual([]);
  }, 30_000);
});
