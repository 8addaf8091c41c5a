// Symbol-keyed context helpers: components ask for the app's shared state by
// function, never by a string key.
import { getContext, setContext } from 'svelte';
import type { ApiClient } from './api/client.dom';
import { ConnectionState } from './state/connection.svelte';
import { ThemeState } from './state/theme.svelte';

export interface AppContext {
  api: ApiClient;
  connection: ConnectionState;
  theme: ThemeState;
}

export function createAppContext(api: ApiClient): AppContext {
  return { api, connection: new ConnectionState(api), theme: new ThemeState(api) };
}

const KEY = Symbol('lightseed.app');

export function setAppContext(context: AppContext): AppContext {
  return setContext(KEY, context);
}

export function getAppContext(): AppContext {
  const context = getContext<AppContext | undefined>(KEY);
  if (!context) throw new Error('getAppContext() called outside <App>.');
  return context;
}
