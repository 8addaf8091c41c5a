// Symbol-keyed context helpers: components ask for the app's shared state by
// function, never by a string key.
import { getContext, setContext } from 'svelte';
import type { ApiClient } from './api/client.dom';
import { AgentsState } from './state/agents.svelte';
import { BridgeState } from './state/bridge.svelte';
import { ChatState } from './state/chat.svelte';
import { ModelsState } from './state/models.svelte';
import { ReadAloudState } from './state/read-aloud.svelte';
import { SwarmState } from './state/swarm.svelte';
import { TreeState } from './state/tree.svelte';
import { ConnectionState } from './state/connection.svelte';
import { SettingsState } from './state/settings.svelte';
import { ThemeState } from './state/theme.svelte';
import { ViewState } from './state/views.svelte';

export interface AppContext {
  api: ApiClient;
  connection: ConnectionState;
  settings: SettingsState;
  theme: ThemeState;
  views: ViewState;
  agents: AgentsState;
  chat: ChatState;
  bridge: BridgeState;
  models: ModelsState;
  tree: TreeState;
  readAloud: ReadAloudState;
  swarm: SwarmState;
}

export function createAppContext(api: ApiClient): AppContext {
  const settings = new SettingsState(api);
  return {
    api,
    connection: new ConnectionState(api),
    settings,
    theme: new ThemeState(settings),
    views: new ViewState(),
    agents: new AgentsState(api),
    chat: new ChatState(api),
    bridge: new BridgeState(api),
    models: new ModelsState(api),
    tree: new TreeState(api),
    readAloud: new ReadAloudState(),
    swarm: new SwarmState(api),
  };
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
