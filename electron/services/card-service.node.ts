// Character cards in and out. A card read here gives an agent its intent (persona, greeting,
// example dialogue, world info) on top of a Genesis seed: the agent is born from the seed as any
// other (traits, adapter, name stem), then keeps the card. A card LightSeed exported carries the
// agent's bundle under extensions.lightseed, so importing it brings back the same agent (seed
// chain, traits, lineage, fitness), checked as any bundle is.
import { ApiError } from '../api/api-error.std';
import { checkedBundle, signBundle } from '../agents/bundle-signature.node';
import type { Identity } from '../identity/identity.node';
import { answerLength, nextFreeName, persona, personaCore } from '../agents/profile.std';
import { MAX_CARD_BYTES, readCardBytes, writeCardPng, type CardFormat } from '../cards/card-file.node';
import { lorebookFromJson } from '../cards/lorebook.std';
import { cardGreetings, cardSystemPrompt, type CardNames } from '../cards/card-prompt.std';
import { CardData, CardError, Lorebook, LorebookEntry, type CardSpec } from '../cards/character-card.std';
import type { AgentCardView, WorldInfoEntryEdit } from '../api/contract.std';
import { estimateTokens, selectWorldInfo, type ActivatedEntry } from '../cards/world-info.std';
import { portraitPng } from '../cards/portrait.node';
import { BundleError, exportBundle, importBundle } from '../store/agent-bundle.node';
import { agentCard, setAgentCard } from '../store/cards.node';
import type { Database } from '../store/database.node';
import { newestUnusedGenesis } from '../store/entropy.node';
import { readSettings } from '../store/settings.node';
import { getAgent, livingAgentNamed, type Agent } from '../store/lineage.node';
import type { AgentLife } from './agent-life.node';

/** The key of LightSeed's own data in a card's extensions. */
export const CARD_EXTENSION = 'lightseed';


export interface AgentCard {
  spec: CardSpec;
  data: CardData;
  /** The file it came from. */
  source: string;
  /** The agent that got the card: this one, or the ancestor whose card it speaks with. */
  ownerId: number;
  /** The PNG the card came in, if it came as one. */
  portrait: Uint8Array | null;
}

export interface CardImportResult {
  agent: Agent;
  format: CardFormat;
  spec: CardSpec;
  /** born: a new agent from a Genesis seed; bundle: a LightSeed card's own agent, new here; already-here: that agent existed. */
  via: 'born' | 'bundle' | 'already-here';
  genesisId?: number;
  /** The card's name when a living agent here has it (the agent got the next numeral). */
  renamedFrom?: string;
  droppedMemories?: number;
  /** For a LightSeed card: the public key that signed the agent's bundle (null: an unsigned, older export). */
  signer?: string | null;
}

export class CardService {
  constructor(
    private readonly database: Database,
    private readonly life: AgentLife,
    private readonly now: () => number,
    private readonly identity: () => Identity,
  ) {}

  get #db() {
    return this.database.connection;
  }

  /** The card an agent speaks with, if any. */
  cardOf(agentId: number): AgentCard | undefined {
    const stored = agentCard(this.#db, agentId);
    if (!stored) return undefined;
    return { spec: stored.spec, data: CardData.parse(JSON.parse(stored.data)), source: stored.source, ownerId: stored.agentId, portrait: stored.portrait };
  }

  /** The card as the Agents view shows and edits it, or null. */
  view(agentId: number): AgentCardView | null {
    const agent = getAgent(this.#db, agentId);
    if (!agent) throw new ApiError('not_found', `There is no agent ${agentId}.`);
    const card = this.cardOf(agentId);
    if (!card) return null;
    const d = card.data;
    const greetings = this.#greetings(agent, card);
    return {
      spec: card.spec,
      source: card.source,
      ownerId: card.ownerId,
      name: d.name,
      description: d.description,
      personality: d.personality,
      scenario: d.scenario,
      creator: d.creator,
      tags: d.tags,
      systemPrompt: this.#prompt(agent, card, []).prompt,
      greeting: greetings[0] ?? '',
      greetings,
      worldInfo: (d.character_book?.entries ?? []).map((e) => ({
        keys: e.keys,
        secondaryKeys: e.secondary_keys ?? [],
        content: e.content,
        enabled: e.enabled,
        constant: e.constant ?? false,
        selective: e.selective ?? false,
        insertionOrder: e.insertion_order,
        priority: e.priority ?? null,
        position: e.position ?? 'before_char',
        name: e.name ?? e.comment ?? '',
      })),
    };
  }

  /**
   * Replaces the world info entries of the agent's card, keeping each kept entry's other fields
   * (matched by position in the list) and the book's settings. An agent speaking with an
   * ancestor's card gets its own copy: the change reaches it and its descendants only.
   */
  setWorldInfo(agentId: number, entries: readonly WorldInfoEntryEdit[]): AgentCardView {
    const stored = agentCard(this.#db, agentId);
    if (!stored) throw new ApiError('failed_precondition', `Agent ${agentId} has no character card: import one to give it world info.`);
    const data = CardData.parse(JSON.parse(stored.data));
    const book = data.character_book ?? Lorebook.parse({});
    const next: CardData = {
      ...data,
      character_book: {
        ...book,
        entries: entries.map((edit, i) => {
          const { selective, constant, priority, ...rest } = book.entries[i] ?? LorebookEntry.parse({});
          void [selective, constant, priority];
          return {
            ...rest,
            keys: edit.keys.map((k) => k.trim()).filter(Boolean),
            secondary_keys: edit.secondaryKeys.map((k) => k.trim()).filter(Boolean),
            content: edit.content,
            enabled: edit.enabled,
            constant: edit.constant,
            selective: edit.selective,
            insertion_order: edit.insertionOrder,
            ...(edit.priority !== null ? { priority: edit.priority } : {}),
            position: edit.position,
            ...(edit.name.trim() ? { name: edit.name.trim() } : {}),
          };
        }),
      },
    };
    setAgentCard(this.#db, { ...stored, agentId, data: JSON.stringify(next), addedAt: this.now() });
    return this.view(agentId)!;
  }

  /**
   * Adds a standalone lorebook's entries (SillyTavern's world info file, or the card spec's
   * lorebook) to the agent's world info. An agent without a card gets one that speaks with its
   * traits' persona ({{original}}) and only adds the world info.
   */
  addLorebook(agentId: number, bytes: Uint8Array, fileName: string): { card: AgentCardView; added: number } {
    const agent = getAgent(this.#db, agentId);
    if (!agent) throw new ApiError('not_found', `There is no agent ${agentId}.`);
    if (bytes.length > MAX_CARD_BYTES) throw new ApiError('invalid_params', `${fileName} is more than ${MAX_CARD_BYTES / 2 ** 20} MiB: a lorebook is text, so it was not read.`);
    let book: Lorebook;
    try {
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''));
      } catch (error) {
        throw new CardError(`${fileName} is not a JSON lorebook (${(error as Error).message}).`);
      }
      book = lorebookFromJson(json, fileName);
    } catch (error) {
      if (error instanceof CardError) throw new ApiError('invalid_params', error.message, undefined, { cause: error });
      throw error;
    }
    const stored = agentCard(this.#db, agentId);
    const data: CardData = stored
      ? CardData.parse(JSON.parse(stored.data))
      : CardData.parse({ name: agent.name, system_prompt: '{{original}}', creator_notes: `World info from ${fileName}; the persona is the agent's own.` });
    const current = data.character_book;
    const next: CardData = {
      ...data,
      character_book: current ? { ...current, entries: [...current.entries, ...book.entries] } : book,
    };
    setAgentCard(this.#db, {
      agentId,
      spec: stored?.spec ?? 'chara_card_v3',
      data: JSON.stringify(next),
      source: stored?.source ?? fileName,
      portrait: stored?.portrait ?? null,
      addedAt: this.now(),
    });
    return { card: this.view(agentId)!, added: book.entries.length };
  }

  /** The names the card's macros stand for: {{char}} is the card's nickname where it has one (V3), else the agent's name; {{user}} the name the person set. */
  names(agent: Agent, card?: CardData): CardNames {
    return { char: card?.nickname?.trim() || agent.name, user: readSettings(this.#db).userName };
  }

  /**
   * The agent's system prompt with its card and the world info `messages` (the conversation so far,
   * oldest first) activate, or undefined when it has no card (its traits' persona then speaks).
   */
  systemPrompt(agent: Agent, messages: readonly string[] = []): { prompt: string; worldInfo: ActivatedEntry[] } | undefined {
    const card = this.cardOf(agent.id);
    return card ? this.#prompt(agent, card, messages) : undefined;
  }

  #prompt(agent: Agent, card: AgentCard, messages: readonly string[]): { prompt: string; worldInfo: ActivatedEntry[] } {
    const names = this.names(agent, card.data);
    const book = card.data.character_book;
    const selection = book ? selectWorldInfo(book, { messages, countTokens: estimateTokens, names }) : undefined;
    const prompt = cardSystemPrompt(card.data, names, {
      traitPersona: personaCore(agent.traits, agent.name, agent.generation),
      answerLength: answerLength(agent.traits),
      ...(selection ? { worldInfo: selection } : {}),
    });
    return { prompt, worldInfo: selection?.used ?? [] };
  }

  /** The card's greetings for a new conversation, first message first (none without a card). */
  greetings(agent: Agent): string[] {
    const card = this.cardOf(agent.id);
    return card ? this.#greetings(agent, card) : [];
  }

  #greetings(agent: Agent, card: AgentCard): string[] {
    return cardGreetings(card.data, this.names(agent, card.data));
  }

  /** The greeting a new conversation opens with: `index` among greetings() (0, the first message, by default; '' when there is none). */
  greeting(agent: Agent, index = 0): string {
    const all = this.greetings(agent);
    if (all.length && (index < 0 || index >= all.length)) throw new ApiError('invalid_params', `${agent.name}'s card has ${all.length} greeting${all.length === 1 ? '' : 's'}; there is no greeting ${index + 1}.`);
    return all[index] ?? '';
  }

  /**
   * Imports a card file's bytes. A card from another app gives birth to an agent from a Genesis
   * record (`genesisId`, or the newest unused one), named as the card is (with the next numeral
   * when a living agent has that name); a card LightSeed exported brings back its agent.
   */
  import(bytes: Uint8Array, fileName: string, options: { genesisId?: number; name?: string } = {}): CardImportResult {
    let read;
    try {
      read = readCardBytes(bytes, fileName);
    } catch (error) {
      if (error instanceof CardError) throw new ApiError('invalid_params', error.message, undefined, { cause: error });
      throw error;
    }
    const { card, format, portrait } = read;
    const { [CARD_EXTENSION]: ours, ...otherExtensions } = card.data.extensions;
    const data: CardData = { ...card.data, extensions: otherExtensions };
    const keep = (agentId: number) => setAgentCard(this.#db, { agentId, spec: card.spec, data: JSON.stringify(data), source: fileName, portrait: portrait ?? null, addedAt: this.now() });

    if (ours !== undefined) {
      const own = ours as { bundle?: unknown; generated?: unknown };
      let checked;
      try {
        checked = checkedBundle(JSON.stringify(own.bundle));
      } catch (error) {
        if (error instanceof BundleError) throw new ApiError('invalid_params', `${fileName} says LightSeed wrote it, but its agent does not check out: ${error.message}`, undefined, { cause: error });
        throw error;
      }
      return this.#db.transaction(() => {
        const db = this.#db;
        const result = importBundle(db, checked.bundle, { signer: checked.signer });
        // A card LightSeed wrote for an agent without one only carried the agent: it gets no card here either.
        if (own.generated !== true) keep(result.agentId);
        const renamed = result.renamed.find((r) => r.from === checked.bundle.agent.name);
        return {
          agent: getAgent(db, result.agentId)!,
          format,
          spec: card.spec,
          via: result.created === 0 ? ('already-here' as const) : ('bundle' as const),
          ...(renamed ? { renamedFrom: renamed.from } : {}),
          droppedMemories: checked.droppedMemories,
          signer: checked.signer,
        };
      })();
    }

    const genesisId = options.genesisId ?? newestUnusedGenesis(this.#db);
    if (genesisId === undefined) {
      throw new ApiError('failed_precondition', `${card.data.name}'s card gives a persona, and an agent is born from a Genesis seed: every Genesis record here has given birth already, so harvest one first.`);
    }
    const wanted = (options.name ?? card.data.name).trim();
    const taken = (candidate: string) => livingAgentNamed(this.#db, candidate) !== undefined;
    const name = options.name === undefined && taken(wanted) ? nextFreeName(wanted, taken) : wanted;
    return this.#db.transaction(() => {
      const agent = this.life.birth(genesisId, name);
      keep(agent.id);
      return { agent, format, spec: card.spec, via: 'born' as const, genesisId, ...(name !== wanted ? { renamedFrom: wanted } : {}) };
    })();
  }

  /**
   * The agent as a V3 PNG card: its card (or one made from its persona), its portrait (the card's
   * picture, or one drawn from its traits), and its bundle under extensions.lightseed.
   */
  export(agentId: number): { bytes: Uint8Array; fileName: string } {
    const agent = getAgent(this.#db, agentId);
    if (!agent) throw new ApiError('not_found', `There is no agent ${agentId}.`);
    const card = this.cardOf(agentId);
    const generated = card === undefined;
    const base: CardData =
      card?.data ??
      CardData.parse({
        name: agent.name,
        description: persona(agent.traits, agent.name, agent.generation),
        creator: 'LightSeed',
        creator_notes: 'A LightSeed companion: its traits come from physical noise. LightSeed imports this card as the same agent.',
        tags: ['LightSeed'],
      });
    const now = this.now();
    const data: CardData = {
      ...base,
      name: agent.name,
      modification_date: Math.floor(now / 1000),
      creation_date: base.creation_date ?? Math.floor(agent.bornAt / 1000),
      extensions: { ...base.extensions, [CARD_EXTENSION]: { version: 1, generated, bundle: signBundle(exportBundle(this.#db, agentId, now), this.identity()) } },
    };
    const image = card?.portrait ?? portraitPng(agent.uid, agent.traits);
    return { bytes: writeCardPng(data, image), fileName: `${agent.name.replace(/[^\p{L}\p{N} ._-]+/gu, '_')}.png` };
  }
}
