// Reading answers aloud through the platform's speech synthesis (the Web Speech API), off by
// default and switched per agent (remembered in this window's storage, by the agent's uid). The
// voice, pitch and rate come from the agent's traits (agents/speech.std.ts).
import { speakableText, speakingVoice, type InstalledVoice } from '../../../../electron/agents/speech.std';
import type { TraitValues } from '../../../../electron/agents/trait-names.std';

const KEY = 'lightseed.readAloud.';

export type SpeechAvailability = 'unsupported' | 'no-voices' | 'ready';

export class ReadAloudState {
  #voices = $state.raw<InstalledVoice[]>([]);
  #on = $state.raw<Record<string, boolean>>({});
  readonly #synth: SpeechSynthesis | undefined = typeof speechSynthesis === 'undefined' ? undefined : speechSynthesis;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = typeof localStorage === 'undefined' ? undefined : localStorage) {
    if (!this.#synth) return;
    const load = () => (this.#voices = this.#synth!.getVoices().map((v) => ({ uri: v.voiceURI, name: v.name, lang: v.lang })));
    load();
    // Chromium lists voices only after it asked the speech service: they arrive with this event.
    this.#synth.addEventListener('voiceschanged', load);
  }

  get availability(): SpeechAvailability {
    return !this.#synth ? 'unsupported' : this.#voices.length === 0 ? 'no-voices' : 'ready';
  }

  /** Why reading aloud cannot be switched on, in a sentence, or undefined when it can. */
  get unavailableReason(): string | undefined {
    if (this.availability === 'unsupported') return 'This window has no speech synthesis.';
    if (this.availability === 'no-voices') return 'No speech voice is installed on this system (on Linux, install speech-dispatcher and a voice such as espeak-ng).';
    return undefined;
  }

  enabled(uid: string): boolean {
    return this.#on[uid] ?? this.storage?.getItem(KEY + uid) === 'on';
  }

  toggle(uid: string): void {
    const on = !this.enabled(uid);
    this.#on = { ...this.#on, [uid]: on };
    if (on) this.storage?.setItem(KEY + uid, 'on');
    else {
      this.storage?.removeItem(KEY + uid);
      this.#synth?.cancel();
    }
  }

  /** Reads an answer in the agent's voice when reading aloud is on for it. */
  speak(agent: { uid: string; traits: TraitValues }, text: string): void {
    if (!this.#synth || !this.enabled(agent.uid) || this.availability !== 'ready') return;
    const words = speakableText(text);
    if (!words) return;
    const choice = speakingVoice(agent.traits, agent.uid, this.#voices, navigator.language);
    const utterance = new SpeechSynthesisUtterance(words);
    const voice = this.#synth.getVoices().find((v) => v.voiceURI === choice.uri);
    if (voice) utterance.voice = voice;
    utterance.pitch = choice.pitch;
    utterance.rate = choice.rate;
    this.#synth.speak(utterance);
  }
}
