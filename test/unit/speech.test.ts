// An agent's speaking voice as a pure function of its traits and the installed voices, and what
// of an answer is read aloud.
import { describe, expect, it } from 'vitest';
import { speakableText, speakingVoice, type InstalledVoice } from '../../electron/agents/speech.std';

const voices: InstalledVoice[] = [
  { uri: 'espeak-en-gb', name: 'English (Great Britain)', lang: 'en-GB' },
  { uri: 'espeak-en-us', name: 'English (America)', lang: 'en-US' },
  { uri: 'espeak-de', name: 'German', lang: 'de-DE' },
  { uri: 'espeak-en-sc', name: 'English (Scotland)', lang: 'en_GB' },
];
const uid = (first: string) => first.padEnd(64, '0');

describe('speakingVoice', () => {
  it('gives an agent the same voice every time, in the window’s language, whatever order the system lists them', () => {
    const a = speakingVoice({}, uid('9f3a'), voices, 'en-US');
    expect(speakingVoice({}, uid('9f3a'), [...voices].reverse(), 'en-US')).toEqual(a);
    expect(['espeak-en-gb', 'espeak-en-us', 'espeak-en-sc']).toContain(a.uri);
    expect(speakingVoice({}, uid('0000'), voices, 'de').uri).toBe('espeak-de');
    // Different agents spread over the voices of the language.
    const chosen = new Set(['0000', '4000', '8000', 'c000'].map((u) => speakingVoice({}, uid(u), voices, 'en').uri));
    expect(chosen.size).toBe(3);
  });

  it('falls back to any voice for another language, and to none when nothing is installed', () => {
    expect(speakingVoice({}, uid('0000'), voices, 'fr-FR').uri).not.toBeNull();
    expect(speakingVoice({}, uid('0000'), [], 'en')).toEqual({ uri: null, pitch: 1, rate: 1 });
  });

  it('takes pitch from the voice quirk and rate from arousal, within the ranges that still sound natural', () => {
    const low = speakingVoice({ 'voice.quirk': 0, 'temperament.arousal': 0, 'voice.verbosity': 1 }, uid('0'), voices);
    const high = speakingVoice({ 'voice.quirk': 1, 'temperament.arousal': 1, 'voice.verbosity': 0 }, uid('0'), voices);
    expect(low).toMatchObject({ pitch: 0.75, rate: 0.83 });
    expect(high).toMatchObject({ pitch: 1.25, rate: 1.17 });
  });
});

describe('speakableText', () => {
  it('skips actions between asterisks and code, keeps bold words, drops Markdown marks', () => {
    expect(speakableText('*waves* Hello there! *smiles warmly*')).toBe('Hello there!');
    expect(speakableText('That is **very** important.')).toBe('That is very important.');
    expect(speakableText('Run `npm test` first:\n```sh\nnpm test\n```\nthen look.')).toBe('Run first: then look.');
    expect(speakableText('# Plan\n- one\n- two\n> quoted _word_')).toBe('Plan one two quoted word');
    expect(speakableText('*only an action*')).toBe('');
  });
});
