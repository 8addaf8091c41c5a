/** The app's views, in navigation order. */
export const VIEWS = [
  { id: 'bridge', title: 'Bridge' },
  { id: 'agents', title: 'Agents' },
  { id: 'chat', title: 'Chat' },
  { id: 'tree', title: 'Family tree' },
  { id: 'swarm', title: 'Swarm' },
  { id: 'models', title: 'Models' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

function parse(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.find((view) => view.id === id)?.id ?? 'bridge';
}

/** Which view is shown; kept in the URL fragment so reload and back/forward work. */
export class ViewState {
  #current = $state<ViewId>('bridge');

  get current(): ViewId {
    return this.#current;
  }

  start(): () => void {
    const sync = () => (this.#current = parse(window.location.hash));
    sync();
    if (!window.location.hash.startsWith('#/')) window.history.replaceState(null, '', `#/${this.#current}`);
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }

  go(id: ViewId): void {
    if (id !== this.#current) window.location.hash = `#/${id}`;
  }
}
