// Three LightSeed installations in one circle, each with its own data folder, database, identity
// and engine (the tiny test model), over Hyperswarm on a HyperDHT testnet (127.0.0.1): they join by
// one invite code; a division goes to the peer offering the most room; a council draws its
// members from all three machines and the pick reaches each home; a liked answer reaches both
// peers' shared memory; a removed peer is refused by the one who removed it and by no one else.
import { describe, expect, it } from 'vitest';
import { listCircleMemories } from '../../electron/store/circle-memory.node';
import { insertGenesis } from '../helpers/genesis';
import { swarmWithModel } from '../helpers/swarm-installation';
import { until } from '../helpers/wait-for';

const { installation } = swarmWithModel();

describe('a circle of three', () => {
  it('joins, places a child, holds a council across three machines, shares a memory, and removes a peer', async () => {
    const [ana, ben, cy] = await Promise.all([installation('Ana'), installation('Ben'), installation('Cy')]);
    const code = ana.services.swarm.invite();
    ben.services.swarm.join(code);
    cy.services.swarm.join(code);
    cy.services.swarm.settings({ capacity: 20 }); // Cy offers the most room
    // All three at the same moment: each looks before the others announce, and looks again soon after.
    await Promise.all([ana, ben, cy].map((i) => i.services.swarm.start()));
    await until(() => [ana, ben, cy].every((i) => i.services.swarm.onlinePeers().length === 2), 'all three to meet', 30_000);
    expect(ana.services.swarm.onlinePeers().map((p) => p.name).sort()).toEqual(['Ben', 'Cy']);

    // A division on Ana's machine: the child goes to Cy, who offers 20 places to Ben's 10.
    const ada = ana.services.agents.life.birth(insertGenesis(ana.db), 'Ada');
    const child = await ana.services.agents.life.divide(ada.id, 'test');
    await until(() => ana.services.swarm.status().abroad.some((a) => a.state === 'born'), 'the child to be born on Cy');
    expect(ana.services.swarm.status().abroad).toMatchObject([{ agentId: child.id, peerName: 'Cy' }]);
    expect(cy.services.swarm.status().hosted).toMatchObject([{ name: child.name, peerName: 'Ana' }]);
    expect(ben.services.swarm.status().hosted).toEqual([]);

    // A council of four from Ana's: Ada here, Bohr on Ben's, Curie and Ada's child on Cy's.
    const bohr = ben.services.agents.life.birth(insertGenesis(ben.db), 'Bohr');
    cy.services.agents.life.birth(insertGenesis(cy.db), 'Curie');
    const council = await ana.services.circleCouncil.ask({ text: 'Which star do sailors steer by?', k: 4 });
    const homes = council.members.map((m) => (m.home === 'here' ? 'here' : m.peerName)).sort();
    expect(homes).toEqual(['Cy', 'Cy', 'here', 'Ben'].sort());
    const { local, remote } = await council.done;
    expect(local).toHaveLength(1);
    expect(remote.map((a) => `${a.agentName}: ${a.reason ?? a.state}`).sort()).toEqual(['Ada II: answered', 'Bohr: answered', 'Curie: answered']);
    const bohrsAnswer = remote.find((a) => a.agentName === 'Bohr')!;
    ana.services.circleCouncil.pick({ answerId: bohrsAnswer.id });
    await until(() => ben.db.prepare("SELECT count(*) FROM feedback WHERE kind = 'council-pick'").pluck().get() === 1, "the pick at Ben's");
    await until(() => cy.db.prepare("SELECT count(*) FROM feedback WHERE kind = 'council-pick' AND value < 0").pluck().get() === 2, "the other verdicts at Cy's");
    expect(ben.db.prepare("SELECT value FROM feedback WHERE agent_id = ? AND kind = 'council-pick'").pluck().get(bohr.id)).toBe(1);

    // Ada's own answer, liked on Ana's machine, reaches both peers' shared memory.
    const adaAnswer = local[0]!.message;
    await ana.services.agents.chat.feedback(adaAnswer.id, 'up');
    await ana.services.sharedMemory.share(adaAnswer.id);
    await until(() => listCircleMemories(ben.db).length === 1 && listCircleMemories(cy.db).length === 1, "the memory at Ben's and Cy's", 30_000);
    expect(listCircleMemories(cy.db)[0]).toMatchObject({ agentName: 'Ada', query: 'Which star do sailors steer by?', response: adaAnswer.content });

    // Ana removes Cy: refused by Ana from then on; Ben, who did not, keeps Cy.
    ana.services.swarm.remove(cy.services.identity.publicKey);
    await until(() => ana.services.swarm.onlinePeers().map((p) => p.name).join() === 'Ben', 'Cy gone from Ana');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(ana.services.swarm.onlinePeers().map((p) => p.name)).toEqual(['Ben']);
    expect(ben.services.swarm.onlinePeers().map((p) => p.name).sort()).toEqual(['Ana', 'Cy']);
    expect(cy.services.swarm.onlinePeers().map((p) => p.name)).toEqual(['Ben']);
  }, 180_000);
});
