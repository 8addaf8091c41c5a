import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../electron/api/api-error.std';
import { methodNames } from '../../electron/api/contract.std';
import { createRouter, type Handlers } from '../../electron/api/router.std';
import { handlersWith } from '../helpers/handlers';
import { DEFAULT_SETTINGS } from '../../electron/settings/settings.std';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return handlersWith({
    'app.ping': ({ nonce }) => ({ nonce, serverTime: 1 }),
    'settings.get': () => ({ ...DEFAULT_SETTINGS, theme: 'system' }),
    'settings.update': (change) => ({ ...DEFAULT_SETTINGS, theme: change.theme ?? 'system' }),
    ...overrides,
  });
}

describe('API router', () => {
  it('answers a valid call with the handler result', async () => {
    const router = createRouter(handlers(), () => {});
    expect(await router.call('app.ping', { nonce: 'abc' })).toEqual({ ok: true, result: { nonce: 'abc', serverTime: 1 } });
  });

  it.each([['no.such.method'], [42], [null], ['__proto__'], ['toString']])('refuses the unknown method %j', async (method) => {
    const outcome = await createRouter(handlers(), () => {}).call(method, {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('refuses params of the wrong shape with the path of each problem', async () => {
    const outcome = await createRouter(handlers(), () => {}).call('app.ping', { nonce: 7 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('invalid_params');
    expect(outcome.error.issues?.[0]?.path).toBe('nonce');
    expect(outcome.error.message).toContain('app.ping');
  });

  it('refuses unknown keys and out-of-range values', async () => {
    const router = createRouter(handlers(), () => {});
    expect(await router.call('settings.update', { theme: 'dark', evil: true })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(await router.call('settings.update', { theme: 'purple' })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(await router.call('app.ping', { nonce: 'x'.repeat(129) })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(await router.call('app.ping', 'not an object')).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
  });

  it('passes an ApiError through with its code', async () => {
    const router = createRouter(
      handlers({
        'settings.get': () => {
          throw new ApiError('failed_precondition', 'No database yet.');
        },
      }),
      () => {},
    );
    expect(await router.call('settings.get', {})).toEqual({ ok: false, error: { code: 'failed_precondition', message: 'No database yet.' } });
  });

  it('turns any other throw into an internal error and reports it', async () => {
    const report = vi.fn();
    const router = createRouter(
      handlers({
        'settings.get': async () => {
          throw new TypeError('boom');
        },
      }),
      report,
    );
    expect(await router.call('settings.get', {})).toMatchObject({ ok: false, error: { code: 'internal', message: 'settings.get failed: boom' } });
    expect(report).toHaveBeenCalledWith(expect.any(TypeError), 'settings.get');
  });

  it('holds handlers to the contract: an off-schema result is an internal error', async () => {
    const report = vi.fn();
    const router = createRouter(handlers({ 'settings.get': () => ({ theme: 'neon' }) as never }), report);
    expect(await router.call('settings.get', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(report).toHaveBeenCalledOnce();
  });

  it('treats missing params as an empty object', async () => {
    expect(await createRouter(handlers(), () => {}).call('settings.get', undefined)).toEqual({ ok: true, result: { ...DEFAULT_SETTINGS, theme: 'system' } });
  });

  it('lists every contract method', () => {
    expect(methodNames).toEqual([
      'app.info',
      'app.ping',
      'settings.get',
      'settings.update',
      'sources.list',
      'harvest.start',
      'harvest.stop',
      'harvest.status',
      'genesis.list',
      'models.list',
      'models.add',
      'models.remove',
      'models.setDefault',
      'models.catalog',
      'models.get',
      'models.pause',
      'models.cancel',
      'generate.start',
      'generate.stop',
      'genesis.get',
      'agents.birth',
      'agents.list',
      'agents.get',
      'chat.say',
      'chat.regenerate',
      'chat.stop',
      'chat.feedback',
      'chat.council',
      'chat.pick',
      'swarm.status',
      'swarm.invite',
      'swarm.join',
      'swarm.leave',
      'swarm.remove',
      'swarm.settings',
      'swarm.council',
      'swarm.answers',
      'swarm.pick',
      'lineage.tree',
      'lineage.stats',
      'lineage.export',
      'chat.export',
      'cards.import',
      'cards.get',
      'cards.export',
      'cards.addLorebook',
      'cards.setWorldInfo',
      'chat.thread',
    ]);
  });
});
