// Agents and chat through the typed API over the browser-mode WebSocket: birth, a
// streamed turn with its chat.done record, feedback, the thread with its swipes,
// stopping mid-answer, the council and its pick, and clear errors.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../electron/api/protocol.std';
import { buildPathsFrom } from '../../electron/paths/build-paths.node';
import { BrowserServer } from '../../electron/server/browser-server.node';
import { AppServices } from '../../electron/services/app-services.node';
import { addModel } from '../../electron/services/model-registry.node';
import { insertGenesis } from '../helpers/genesis';
import { makeTempDir } from '../helpers/temp-dir';
import { tinyModel } from '../helpers/tiny-model';
import { apiClient } from '../helpers/ws-client';

let dir: ReturnType<typeof makeTempDir>;
let services: AppServices;
let server: BrowserServer;

beforeAll(async () => {
  dir = makeTempDir();
  await tinyModel(join(dir.path, 'tiny.gguf'), 9, 'llama', 2048);
  services = await AppServices.create({ dataDir: join(dir.path, 'data'), mode: 'browser', heartbeatMs: 0, paths: buildPathsFrom(new URL('../../out/main/cli.js', import.meta.url).href) });
  await addModel(services.database.connection, join(dir.path, 'tiny.gguf'), Date.now());
  server = await BrowserServer.start({ services, rendererDir: dir.path, port: 0 });
}, 60_000);
afterAll(async () => {
  await server.dispose();
  await services.shutdown();
  dir.remove();
});

const event = (name: string) => (m: ServerMessage) => m.t === 'event' && m.event === name;
type Done = { payload: { turnId: number; ok: boolean; message: { id: number; content: string; kind: string }; recalled: unknown[]; noise: { adapter: number } } };

describe('agents and chat over the API', () => {
  it('gives birth, streams a turn, takes feedback and returns the thread with its swipes', async () => {
    const c = await apiClient(server.port, server.token);
    for (const name of ['chat.token', 'chat.done', 'agent.divided']) await c.subscribe(name);
    const genesisId = insertGenesis(services.database.connection);
    const born = await c.call('agents.birth', { genesisId, name: 'Ada' });
    expect(born).toMatchObject({ ok: true, result: { name: 'Ada', generation: 0, untilDivision: 25, state: 'alive' } });
    expect(await c.call('agents.birth', { genesisId })).toMatchObject({ ok: false, error: { code: 'failed_precondition', message: /a seed gives birth once/ } });
    const id = (born as { result: { id: number } }).result.id;
    const said = await c.call('chat.say', { agentId: id, text: 'Hello Ada' });
    expect(said).toMatchObject({ ok: true, result: { turnId: expect.any(Number), userMessageId: expect.any(Number) } });
    const { turnId } = (said as { result: { turnId: number } }).result;
    const done = (await c.next((m) => event('chat.done')(m) && (m as Done).payload.turnId === turnId)) as Done;
    expect(done.payload).toMatchObject({ ok: true, message: { role: 'assistant', agentId: id, kind: 'chat' } });
    const streamed = c.inbox.filter((m) => event('chat.token')(m) && (m as { payload: { turnId: number } }).payload.turnId === turnId);
    expect(streamed.map((m) => (m as { payload: { text: string } }).payload.text).join('')).toBe(done.payload.message.content);
    expect(await c.call('chat.feedback', { messageId: done.payload.message.id, kind: 'up' })).toMatchObject({ ok: true, result: { fitness: 1, archived: false, childId: null } });
    const regen = (await c.call('chat.regenerate', { messageId: done.payload.message.id })) as { result: { turnId: number } };
    const second = (await c.next((m) => event('chat.done')(m) && (m as Done).payload.turnId === regen.result.turnId)) as Done;
    expect(second.payload.message.kind).toBe('regeneration');
    const thread = (await c.call('chat.thread', { leafId: second.payload.message.id })) as { result: { messages: { id: number }[]; siblings: Record<string, number[]> } };
    expect(thread.result.messages).toHaveLength(2);
    expect(thread.result.siblings[String(second.payload.message.id)]).toEqual([done.payload.message.id, second.payload.message.id]);
    const detail = await c.call('agents.get', { id });
    // An answer that is only whitespace (the tiny model may stop at once) is kept as a message but not as a memory.
    const remembered = [done, second].filter((d) => d.payload.message.content.trim() !== '').length;
    expect(detail).toMatchObject({ ok: true, result: { agent: { totalInteractions: 2, fitness: expect.closeTo(1, 2) }, memories: remembered, ancestors: [], children: [] } });
    expect(await c.call('agents.list', {})).toMatchObject({ ok: true, result: { total: 1, agents: [{ name: 'Ada' }] } });
    c.ws.close();
  }, 60_000);

  it('stops an answer mid-stream and keeps what was said', async () => {
    const c = await apiClient(server.port, server.token);
    await c.subscribe('chat.token');
    await c.subscribe('chat.done');
    type Stopped = Done & { payload: { stats: { stopReason: string } } };
    // The tiny model may reach its end before the stop arrives; then that answer simply ended, and the next one is stopped.
    let stopped: Stopped | undefined;
    for (let attempt = 0; attempt < 5 && !stopped; attempt++) {
      const said = (await c.call('chat.say', { agentId: 1, text: 'Talk for a long time' })) as { ok: boolean; result: { turnId: number } };
      expect(said, JSON.stringify(said)).toMatchObject({ ok: true });
      const { turnId } = said.result;
      const ofTurn = (name: string) => (m: ServerMessage) => event(name)(m) && (m as { payload: { turnId: number } }).payload.turnId === turnId;
      await c.next(ofTurn('chat.token'));
      const stop = await c.call('chat.stop', { turnId });
      const done = (await c.next(ofTurn('chat.done'))) as Stopped;
      if (done.payload.stats.stopReason === 'aborted') {
        expect(stop).toMatchObject({ ok: true, result: { stopping: true } });
        stopped = done;
      } else expect(['eos', 'stop']).toContain(done.payload.stats.stopReason);
    }
    expect(stopped, 'no answer out of 5 was still running when its stop arrived').toBeDefined();
    expect(stopped!.payload.message.content.length).toBeGreaterThan(0);
    c.ws.close();
  }, 120_000);

  it('asks a council and records the pick for every member', async () => {
    const c = await apiClient(server.port, server.token);
    await c.subscribe('chat.done');
    await c.call('agents.birth', { genesisId: insertGenesis(services.database.connection), name: 'Bea' });
    const council = (await c.call('chat.council', { text: 'What is noise?', k: 2 })) as { ok: boolean; result: { agentIds: number[] } };
    expect(council.ok).toBe(true);
    expect(council.result.agentIds.sort()).toEqual([1, 2]);
    const first = (await c.next(event('chat.done'))) as Done;
    const second = (await c.next((m) => event('chat.done')(m) && m !== first)) as Done;
    expect([first.payload.message.kind, second.payload.message.kind]).toEqual(['council', 'council']);
    expect(await c.call('chat.pick', { messageId: second.payload.message.id })).toMatchObject({ ok: true, result: { otherIds: [expect.any(Number)] } });
    expect(await c.call('chat.pick', { messageId: 999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await c.call('chat.say', { agentId: 999, text: 'hi' })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'There is no agent 999.' } });
    expect(await c.call('chat.say', { agentId: 1, text: '' })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    c.ws.close();
  }, 60_000);
});
