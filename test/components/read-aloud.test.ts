// Reading answers aloud in Chromium's own speech synthesis: where the system has voices, an
// answer is spoken in the agent's voice once switched on; where it has none (a bare Linux), the
// toggle says so in a sentence and nothing is spoken.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { ReadAloudState } from '../../renderer/src/lib/state/read-aloud.svelte';

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k), items };
}

describe('read aloud in Chromium', () => {
  it('is off by default, remembered per agent, and speaks only where a voice is installed', async () => {
    // Chromium fills the voice list asynchronously: give it the moment it needs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const storage = memoryStorage();
    const state = new ReadAloudState(storage);
    flushSync();
    const agent = { uid: 'ab'.repeat(32), traits: { 'voice.quirk': 0.4, 'temperament.arousal': 0.6 } };
    expect(state.enabled(agent.uid)).toBe(false);
    state.toggle(agent.uid);
    expect(state.enabled(agent.uid)).toBe(true);
    expect(storage.items.get(`lightseed.readAloud.${agent.uid}`)).toBe('on');
    expect(new ReadAloudState(storage).enabled(agent.uid)).toBe(true);
    expect(new ReadAloudState(storage).enabled('cd'.repeat(32))).toBe(false);
    const spoken: string[] = [];
    const original = speechSynthesis.speak.bind(speechSynthesis);
    speechSynthesis.speak = (utterance: SpeechSynthesisUtterance) => {
      spoken.push(`${utterance.text} @${utterance.pitch}/${utterance.rate}`);
      original(utterance);
    };
    try {
      state.speak(agent, '*waves* Good evening.');
      if (speechSynthesis.getVoices().length > 0) {
        expect(state.availability).toBe('ready');
        expect(spoken).toEqual(['Good evening. @0.95/1.03']);
      } else {
        console.log('read aloud: this Chromium has no speech voices installed; checked the refusal, the voice choice is tested as a pure function');
        expect(state.availability).toBe('no-voices');
        expect(state.unavailableReason).toMatch(/^No speech voice is installed on this system/);
        expect(spoken).toEqual([]);
      }
    } finally {
      speechSynthesis.speak = original;
      speechSynthesis.cancel();
    }
  });
});
