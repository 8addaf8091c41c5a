// A council across a circle, through two installations' services, their engine processes and a
// tiny test model, over Hyperswarm on a HyperDHT testnet (127.0.0.1): members drawn among both
// installations' agents, the peer's member answering at its home (kept there in a conversation of
// the asker's questions), the pick sent to that home as feedback; a home that goes away
// mid-answer is reported, not fatal; a peer sending answers or verdicts nobody asked for is cut off.
import { randomBytes } from 'node:crypto';
import Hyperswarm from 'hyperswarm';
import DHT from 'hyperdht';
import { describe, expect, it } from 'vitest';
import { replies } from '../../electron/store/conversations.node';
import { PROTOCOL_VERSION } from '../../electron/swarm/frames.std';
import { decodeInvite } from '../../electron/swarm/invite.std';
import { insertGenesis } from '../helpers/genesis';
import { circleWire, swarmWithModel } from '../helpers/swarm-installation';
import { until } from '../helpers/wait-for';

const { net, installation, circleOfTwo } = swarmWithModel();

describe('a council across the circle', () => {
  it("asks agents on both installations; the peer's member answers at home, and the pick reaches it there", async () => {
    const { ana, ben } = await circleOfTwo();
    const ada = ana.services.agents.life.birth(insertGenesis(ana.db), 'Ada');
    const bohr = ben.services.agents.life.birth(insertGenesis(ben.db), 'Bohr');

    // k = 2 of two candidates: both sit, whatever the draw.
    const council = await ana.services.circleCouncil.ask({ text: 'What is the lighthouse for?', k: 2 });
    expect(council.members.map((m) => (m.home === 'here' ? `${m.agent.name} here` : `${m.name} on ${m.peerName}`)).sort()).toEqual(['Ada here', 'Bohr on Ben']);
    const { local, remote } = await council.done;
    expect(local).toHaveLength(1);
    expect(remote).toEqual([expect.objectContaining({ agentName: 'Bohr', agentUid: bohr.uid, peer: ben.services.identity.publicKey, state: 'answered' })]);
    expect(remote[0]!.content!.length).toBeGreaterThan(0);
    expect(ana.services.circleCouncil.answers(council.userMessage.id)).toEqual(remote);

    // At Ben's: the question and Bohr's answer, in the conversation of Ana's questions.
    const asked = ben.db.prepare('SELECT c.title, m.content, m.agent_id FROM circle_asked a JOIN message m ON m.id = a.message_id JOIN conversation c ON c.id = m.conversation_id').get() as { title: string; content: string; agent_id: number };
    expect(asked).toEqual({ title: 'Questions from Ana', content: remote[0]!.content, agent_id: bohr.id });

    // Ana picks Bohr's answer: +1 to Bohr at Ben's, −1 to Ada here.
    const before = ben.services.agents.life.fitnessOf(ben.services.agents.life.agent(bohr.id));
    expect(ana.services.circleCouncil.pick({ answerId: remote[0]!.id })).toEqual({ picked: 'Bohr', others: ['Ada'] });
    await until(() => ben.services.agents.life.fitnessOf(ben.services.agents.life.agent(bohr.id)) > before, "Bohr's fitness to rise at Ben's");
    expect(ben.db.prepare("SELECT value FROM feedback WHERE agent_id = ? AND kind = 'council-pick'").pluck().all(bohr.id)).toEqual([1]);
    expect(ana.db.prepare("SELECT value FROM feedback WHERE agent_id = ? AND kind = 'council-pick'").pluck().all(ada.id)).toEqual([-1]);
    const adaAnswer = replies(ana.db, council.userMessage.conversationId, council.userMessage.id).find((m) => m.agentId === ada.id)!;
    expect(() => ana.services.circleCouncil.pick({ messageId: adaAnswer.id })).toThrow(/decided already/);
  }, 120_000);

  it('reports a home that goes away mid-answer, and cuts off a peer that answers or judges what it was never asked', async () => {
    const cy = await installation('Cy');
    const topic = decodeInvite(cy.services.swarm.invite()).topic;
    await cy.services.swarm.start();
    cy.services.agents.life.birth(insertGenesis(cy.db), 'Curie');
    // A peer that lists one agent, then vanishes when asked.
    const uid = randomBytes(32).toString('hex');
    const swarm = new Hyperswarm({ keyPair: DHT.keyPair(randomBytes(32)), dht: net.testnet.createNode() });
    net.cleanups.push(() => swarm.destroy());
    swarm.on('connection', (socket) => {
      socket.on('error', () => {});
      const wire = circleWire(socket, (message) => {
        if (message.t === 'roster-ask') wire.send({ t: 'roster', agents: [{ uid, name: 'Ghost', fitness: 25 }] });
        if (message.t === 'ask') setTimeout(() => void swarm.destroy(), 200);
      });
      wire.send({ t: 'hello', v: PROTOCOL_VERSION, name: 'Vanishing', capacity: 0 });
    });
    await swarm.join(Buffer.from(topic), { server: false, client: true }).flushed();
    await until(() => cy.services.swarm.onlinePeers().length === 1, 'the peer to connect');
    const council = await cy.services.circleCouncil.ask({ text: 'Are you there?', k: 2 });
    const { local, remote } = await council.done;
    expect(local).toHaveLength(1); // Curie answered all the same
    expect(remote).toEqual([expect.objectContaining({ agentName: 'Ghost', state: 'failed', reason: 'Vanishing went away before answering' })]);

    // A peer that sends an answer to a question never asked, then one that sends a verdict on nothing.
    for (const [message, why] of [
      [{ t: 'answer', key: randomBytes(16).toString('hex'), text: 'unasked' }, 'an answer to a question it was never asked'],
      [{ t: 'verdict', key: randomBytes(16).toString('hex'), value: 1 }, 'a verdict on an answer it never asked for'],
    ] as const) {
      const rogue = new Hyperswarm({ dht: net.testnet.createNode() });
      net.cleanups.push(() => rogue.destroy());
      const before = cy.log.length;
      rogue.on('connection', (socket) => {
        socket.on('error', () => {});
        const wire = circleWire(socket);
        wire.send({ t: 'hello', v: PROTOCOL_VERSION, name: 'Rogue', capacity: 0 });
        wire.send(message);
      });
      await rogue.join(Buffer.from(topic), { server: false, client: true }).flushed();
      await until(() => cy.log.length > before, "Cy's log of the rogue");
      expect(cy.log.at(-1)).toMatch(new RegExp(`cut off: it sent ${why}\\.$`));
      await rogue.destroy();
    }
    expect(cy.db.prepare('SELECT count(*) FROM circle_asked').pluck().get()).toBe(0);
  }, 120_000);
});
