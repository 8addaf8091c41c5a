import { describe, expect, it } from 'vitest';
import { EventHub } from '../../electron/api/event-hub.std';
import { MAX_MESSAGE_BYTES, type ServerMessage } from '../../electron/api/protocol.std';
import { createRouter } from '../../electron/api/router.std';
import { ApiSession } from '../../electron/api/session.std';
import { handlersWith } from '../helpers/handlers';
import { DEFAULT_SETTINGS } from '../../electron/settings/settings.std';

function setup(options: { slow?: boolean; maxPendingCalls?: number } = {}) {
  const hub = new EventHub();
  const sent: ServerMessage[] = [];
  const router = createRouter(
    handlersWith({
      'app.ping': async ({ nonce }) => {
        if (options.slow) await new Promise((resolve) => setTimeout(resolve, 20));
        return { nonce, serverTime: 5 };
      },
      'settings.get': () => ({ ...DEFAULT_SETTINGS, theme: 'dark' }),
      'settings.update': () => ({ ...DEFAULT_SETTINGS, theme: 'dark' }),
    }),
    () => {},
  );
  const session = new ApiSession({ router, hub, send: (message) => sent.push(message), maxPendingCalls: options.maxPendingCalls });
  const flush = () => new Promise((resolve) => setTimeout(resolve, options.slow ? 50 : 0));
  return { hub, sent, session, flush };
}

describe('API session', () => {
  it('greets the client with the API version', () => {
    const { sent } = setup();
    expect(sent).toEqual([{ t: 'hello', apiVersion: 1 }]);
  });

  it('answers a call with its id', async () => {
    const { sent, session, flush } = setup();
    session.receiveText(JSON.stringify({ t: 'call', id: 9, method: 'app.ping', params: { nonce: 'n' } }));
    await flush();
    expect(sent.at(-1)).toEqual({ t: 'result', id: 9, ok: true, result: { nonce: 'n', serverTime: 5 } });
  });

  it('answers bad JSON, bad shapes, binary and oversized messages with bad_message and keeps going', async () => {
    const { sent, session, flush } = setup();
    session.receiveText('{nope');
    session.receive({ t: 'call', id: -1, method: 'app.ping' });
    session.receive({ t: 'launch' });
    session.receiveBinary();
    session.receiveText('x'.repeat(MAX_MESSAGE_BYTES + 1));
    const errors = sent.filter((m) => m.t === 'error');
    expect(errors).toHaveLength(5);
    for (const error of errors) expect(error).toMatchObject({ error: { code: 'bad_message' } });
    session.receive({ t: 'call', id: 1, method: 'settings.get', params: {} });
    await flush();
    expect(sent.at(-1)).toMatchObject({ t: 'result', id: 1, ok: true });
  });

  it('forwards only subscribed events, until unsubscribed', () => {
    const { hub, sent, session } = setup();
    hub.emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'light' });
    session.receive({ t: 'sub', event: 'settings.changed' });
    session.receive({ t: 'sub', event: 'settings.changed' });
    hub.emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'dark' });
    session.receive({ t: 'unsub', event: 'settings.changed' });
    hub.emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'light' });
    expect(sent.filter((m) => m.t === 'event')).toEqual([{ t: 'event', event: 'settings.changed', payload: { ...DEFAULT_SETTINGS, theme: 'dark' } }]);
  });

  it('refuses to subscribe to an event not in the contract', () => {
    const { sent, session } = setup();
    session.receive({ t: 'sub', event: 'secrets.leaked' });
    expect(sent.at(-1)).toMatchObject({ t: 'error', error: { code: 'unknown_event' } });
  });

  it('refuses calls beyond the in-flight limit with busy', async () => {
    const { sent, session, flush } = setup({ slow: true, maxPendingCalls: 2 });
    for (let id = 1; id <= 3; id++) session.receive({ t: 'call', id, method: 'app.ping', params: { nonce: `${id}` } });
    expect(sent.at(-1)).toMatchObject({ t: 'result', id: 3, ok: false, error: { code: 'busy' } });
    await flush();
    expect(sent.filter((m) => m.t === 'result' && m.ok).map((m) => (m as { id: number }).id)).toEqual([1, 2]);
  });

  it('stops delivering after dispose, including results still in flight', async () => {
    const { hub, sent, session, flush } = setup({ slow: true });
    session.receive({ t: 'sub', event: 'settings.changed' });
    session.receive({ t: 'call', id: 1, method: 'app.ping', params: { nonce: 'late' } });
    session.dispose();
    hub.emit('settings.changed', { ...DEFAULT_SETTINGS, theme: 'dark' });
    await flush();
    expect(sent).toEqual([{ t: 'hello', apiVersion: 1 }]);
    expect(hub.listenerCount('settings.changed')).toBe(0);
  });
});
