// Character cards on the command line: import a card (PNG, JSON or CHARX) as an agent's
// persona, export an agent as a V3 PNG card, show the card an agent speaks with.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_CARD_BYTES } from '../cards/card-file.node';
import { AppServices } from '../services/app-services.node';
import { findAgent } from '../store/lineage.node';
import { mustFind } from './agents.node';
import { UsageError, type Command } from './command.node';
import { readInputFile } from './input-file.node';

export const cardCommand: Command = {
  name: 'card',
  summary: "Character cards: import one as an agent (PNG, JSON, CHARX; V1–V3), export an agent as a V3 PNG card, show one, add a lorebook to an agent's world info",
  usage: 'import FILE [--genesis N] [--name NAME] | export AGENT [FILE] | show AGENT [--json] | lorebook AGENT FILE',
  options: { genesis: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    genesis: { value: 'N', text: 'import: the Genesis record the agent is born from (default: the newest unused one)' },
    name: { value: 'NAME', text: "import: the agent's name (default: the card's)" },
    json: { text: 'print JSON' },
  },
  async run(values, [action, target, file], context) {
    if (action !== 'import' && action !== 'export' && action !== 'show' && action !== 'lorebook') throw new UsageError('card needs import, export, show or lorebook: lightseed card import maren.png');
    if (action === 'lorebook' && !file) throw new UsageError('card lorebook needs an agent and a lorebook file: lightseed card lorebook Maren world.json');
    if (!target) throw new UsageError(action === 'import' ? 'card import needs a card file.' : `card ${action} needs an agent.`);
    let genesisId: number | undefined;
    if (values.genesis !== undefined) {
      genesisId = Number(values.genesis);
      if (!Number.isInteger(genesisId) || genesisId < 1) throw new UsageError('--genesis takes a Genesis record number: see `lightseed genesis`.');
    }
    // A card is read and checked before the database is opened: a bad file changes nothing.
    const bytes = action === 'import' ? await readInputFile(target, { what: 'a character card', maxBytes: MAX_CARD_BYTES }) : undefined;
    const lore = action === 'lorebook' ? await readInputFile(file!, { what: 'a lorebook', maxBytes: MAX_CARD_BYTES }) : undefined;
    await using services = await AppServices.create({ dataDir: context.dataDir, mode: 'cli', heartbeatMs: 0, paths: context.paths });
    const cards = services.agents.cards;
    if (bytes) {
      const result = cards.import(bytes, basename(target), { ...(genesisId !== undefined ? { genesisId } : {}), ...(typeof values.name === 'string' ? { name: values.name } : {}) });
      const a = result.agent;
      if (values.json) context.out(JSON.stringify({ ...result, agent: services.agents.view.summary(a) }, null, 2));
      else if (result.via === 'born') {
        context.out(`${a.name} (#${a.id}) was born from Genesis record ${result.genesisId} and speaks with the ${result.spec.replace('chara_card_', '').toUpperCase()} card from ${basename(target)}.`);
        if (result.renamedFrom) context.out(`  ${result.renamedFrom} is the name of a living agent here, so this one is called ${a.name}.`);
        context.out('  Its persona, greeting and examples come from the card; its temperament, voice, memory and perception from the seed.');
      } else if (result.via === 'bundle') {
        context.out(`${a.name} (#${a.id}) came back from a LightSeed card: the same seed chain, traits and lineage.`);
      } else context.out(`${a.name} (#${a.id}) was already here; it keeps the card from ${basename(target)}.`);
      return 0;
    }
    const agent = mustFind(findAgent(services.database.connection, target), target);
    if (lore) {
      const { card, added } = cards.addLorebook(agent.id, lore, basename(file!));
      context.out(`${agent.name}'s world info now has ${card.worldInfo.length} entries (${added} from ${basename(file!)}).`);
      return 0;
    }
    if (action === 'export') {
      const exported = cards.export(agent.id);
      const path = file ?? exported.fileName;
      await writeFile(path, exported.bytes, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw new UsageError(`${path} already exists: name a new file for the card.`);
        throw error;
      });
      context.out(`Wrote ${agent.name} as a V3 PNG card to ${path} (${(exported.bytes.length / 1024).toFixed(0)} KiB); LightSeed imports it as the same agent, other apps as a character.`);
      return 0;
    }
    if (values.json) {
      const card = cards.cardOf(agent.id);
      // The card's data as kept; the picture only as whether there is one.
      context.out(JSON.stringify(card ? { spec: card.spec, source: card.source, ownerId: card.ownerId, hasPortrait: card.portrait !== null, data: card.data } : null, null, 2));
      return 0;
    }
    const view = cards.view(agent.id);
    if (!view) {
      context.out(`${agent.name} has no character card: its persona comes from its intent trait (see \`lightseed agent ${agent.name}\`).`);
      return 0;
    }
    const owner = view.ownerId === agent.id ? '' : ` (its ancestor #${view.ownerId}'s)`;
    context.out(`${agent.name} speaks with the card ${view.name}${owner} from ${view.source} (${view.spec.replace('chara_card_', '').toUpperCase()}).`);
    context.out('');
    context.out(view.systemPrompt);
    if (view.greetings.length === 1) context.out(`\ngreeting: ${view.greetings[0]}`);
    else view.greetings.forEach((g, i) => context.out(`${i === 0 ? '\n' : ''}greeting ${i + 1}${i === 0 ? '' : ' (alternate)'}: ${g}`));
    const entries = view.worldInfo.length;
    if (entries) context.out(`world info: ${entries} entr${entries === 1 ? 'y' : 'ies'}`);
    return 0;
  },
};
