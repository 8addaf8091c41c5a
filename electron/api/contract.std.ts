// The one API contract between the renderer and the main-process services.
// Served twice with the same wire protocol (protocol.std.ts): over Electron IPC
// through the preload, and over a WebSocket in browser mode. Every incoming
// payload is parsed against the schemas below before a handler sees it.
import { z } from 'zod';

/** Bumped when a method or event changes incompatibly. */
export const API_VERSION = 1;

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

export const Settings = z.strictObject({
  theme: Theme,
});
export type Settings = z.infer<typeof Settings>;

export const RunMode = z.enum(['electron', 'browser']);
export type RunMode = z.infer<typeof RunMode>;

const AppInfo = z.strictObject({
  name: z.literal('LightSeed'),
  version: z.string(),
  apiVersion: z.number().int(),
  mode: RunMode,
  platform: z.string(),
  dataDir: z.string(),
  database: z.strictObject({
    path: z.string(),
    schemaVersion: z.number().int().nonnegative(),
    journalMode: z.string(),
  }),
  startedAt: z.number(),
});
export type AppInfo = z.infer<typeof AppInfo>;

const NoParams = z.strictObject({});

/** Method name → schemas of its params and result. */
export const methods = {
  /** What is running, where its data lives and which schema the database has. */
  'app.info': { params: NoParams, result: AppInfo },
  /** Echo for liveness checks and latency measurement. */
  'app.ping': {
    params: z.strictObject({ nonce: z.string().min(1).max(128) }),
    result: z.strictObject({ nonce: z.string(), serverTime: z.number() }),
  },
  /** User preferences, stored in the database. */
  'settings.get': { params: NoParams, result: Settings },
  /** Changes some preferences; returns all of them after the change. */
  'settings.update': { params: Settings.partial(), result: Settings },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

/** Event name → schema of its payload. Clients subscribe by name. */
export const events = {
  /** Sent every few seconds so a client can tell a live link from a dead one. */
  'app.heartbeat': z.strictObject({ serverTime: z.number(), uptimeMs: z.number() }),
  /** Sent after any client changed a setting. */
  'settings.changed': Settings,
} as const satisfies Record<string, z.ZodType>;

type Methods = typeof methods;
type Events = typeof events;

export type MethodName = keyof Methods;
export type EventName = keyof Events;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(methods, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value);
}
