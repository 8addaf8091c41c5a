// The agents' continuous traits in the order the main process keeps them (electron/agents/
// trait-names.std.ts; the renderer imports only types from there, and a test keeps the two
// lists equal), with the colour of each trait's group.
export const TRAITS = [
  'memory.retention',
  'memory.depth',
  'perception.similarity',
  'perception.fitness',
  'perception.recency',
  'temperament.arousal',
  'temperament.volatility',
  'intent.curiosity',
  'intent.warmth',
  'intent.playfulness',
  'intent.focus',
  'voice.verbosity',
  'voice.quirk',
] as const;

export const GROUP_COLOURS: Record<string, string> = { memory: '#6b8afd', perception: '#e0a030', temperament: '#e05d5d', intent: '#3fb488', voice: '#b36bd6' };
