// An agent's speaking voice, from its voice and temperament traits: which installed voice reads
// its answers (the same one for the same agent on the same machine), at what pitch and rate, and
// what of an answer is read (text between asterisks is an action, *waves*, and is skipped, as
// Backyard AI does; code is not read out). Pure, so the window and the tests share it.
import { trait, type TraitValues } from './trait-names.std';

export interface InstalledVoice {
  /** The Web Speech API's voiceURI, unique on the machine. */
  uri: string;
  name: string;
  /** BCP 47, e.g. "en-GB". */
  lang: string;
}

export interface SpeakingVoice {
  /** The chosen voice's uri, or null when none is installed for the language (the system default then speaks, if any). */
  uri: string | null;
  /** Web Speech pitch, 0–2 (1 is the voice's own): 0.75–1.25 from voice.quirk. */
  pitch: number;
  /** Web Speech rate (1 is normal): 0.85–1.15 from temperament.arousal, a little slower for verbose agents. */
  rate: number;
}

/** A number in [0, 1) from the agent's uid (hex), so its voice does not change between sessions. */
function fromUid(uid: string): number {
  return parseInt(uid.slice(0, 8), 16) / 2 ** 32;
}

/** The agent's voice among `voices`, preferring the interface's language (`lang`, e.g. "en-US"). */
export function speakingVoice(traits: TraitValues, uid: string, voices: readonly InstalledVoice[], lang = 'en'): SpeakingVoice {
  const language = lang.toLowerCase().split('-')[0]!;
  const sameLanguage = voices.filter((v) => v.lang.toLowerCase().split(/[-_]/)[0] === language);
  const pool = [...(sameLanguage.length ? sameLanguage : voices)].sort((a, b) => a.uri.localeCompare(b.uri));
  const quirk = trait(traits, 'voice.quirk');
  const arousal = trait(traits, 'temperament.arousal');
  const verbosity = trait(traits, 'voice.verbosity');
  return {
    uri: pool.length ? pool[Math.floor(fromUid(uid) * pool.length)]!.uri : null,
    pitch: Math.round((0.75 + 0.5 * quirk) * 100) / 100,
    rate: Math.round((0.85 + 0.3 * arousal - 0.05 * (verbosity - 0.5)) * 100) / 100,
  };
}

/** What of an answer is read aloud: no actions between asterisks, no code, no Markdown marks. */
export function speakableText(text: string): string {
  return text
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/\*\*([^*\n]+)\*\*/g, '$1')
    .replace(/\*[^*\n]+\*/g, ' ')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/[*_~]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
