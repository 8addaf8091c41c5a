// What a card puts into an agent's prompt, in the order SillyTavern's default story string
// uses: the card's system prompt (or "You are {{char}}."), description, personality, scenario,
// the agent's answer length (its voice trait), example dialogue, then the card's post-history
// instructions, with the world info the conversation activates before the description or after
// the scenario. The seed's other traits act through the sampler and the adapters, not here.
import { expandMacros, type CardData } from './character-card.std';

export interface CardNames {
  /** The agent's name, for {{char}}. */
  char: string;
  /** The person chatting, for {{user}}. */
  user: string;
}

/** The example dialogue without its <START> separators, or '' when there is none. */
function examples(card: CardData, names: CardNames): string {
  const text = card.mes_example
    .split(/\r?\n/)
    .filter((line) => !/^\s*<START>\s*$/i.test(line))
    .join('\n')
    .trim();
  return text ? `Examples of how ${names.char} speaks:\n${expandMacros(text, names)}` : '';
}

/**
 * The system prompt for an agent speaking with a card. `traitPersona` is what the agent's intent
 * trait would say without a card: a card's system prompt may include it as {{original}}, as
 * SillyTavern's does with its own main prompt. `answerLength` comes from the voice trait.
 */
export function cardSystemPrompt(
  card: CardData,
  names: CardNames,
  options: { traitPersona: string; answerLength: string; worldInfo?: { before: readonly string[]; after: readonly string[] } },
): string {
  const opening = card.system_prompt.trim() ? card.system_prompt.replace(/\{\{original\}\}/gi, options.traitPersona) : `You are {{char}}.`;
  // World info goes where SillyTavern puts it: before the character's description, or after its scenario.
  const parts = [
    opening,
    ...(options.worldInfo?.before ?? []),
    card.description,
    card.personality.trim() ? `{{char}}'s personality: ${card.personality}` : '',
    card.scenario.trim() ? `Scenario: ${card.scenario}` : '',
    ...(options.worldInfo?.after ?? []),
    options.answerLength,
  ];
  const text = parts
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => expandMacros(part, names))
    .join('\n');
  const after = card.post_history_instructions.trim() ? expandMacros(card.post_history_instructions.trim(), names) : '';
  return [text, examples(card, names), after].filter(Boolean).join('\n\n');
}

/** The greetings a conversation may open with: the first message, then the alternate greetings (empty ones left out). */
export function cardGreetings(card: CardData, names: CardNames): string[] {
  return [card.first_mes, ...card.alternate_greetings].map((g) => expandMacros(g.trim(), names)).filter(Boolean);
}
