// Lineage exports: the ALife standard phylogeny CSV (id, ancestor_list,
// origin_time, …) and Newick. Both walk parents before children without recursion,
// so a lineage thousands of generations deep exports like a bushy one.
import { currentFitness } from '../agents/fitness.std';
import { lineageAgents, type Agent } from './lineage.node';
import type { ReadableDB } from './sql.node';

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * ALife Data Standard phylogeny: `id`, `ancestor_list` ("[parent]" or "[NONE]"),
 * `origin_time`, `destruction_time`, then name, uid, generation, fitness and one column per trait.
 */
export function phylogenyCsv(db: ReadableDB, rootId: number): string {
  const agents = lineageAgents(db, rootId);
  const traitNames = [...new Set(agents.flatMap((a) => Object.keys(a.traits)))].sort();
  const header = ['id', 'ancestor_list', 'origin_time', 'destruction_time', 'name', 'uid', 'generation', 'state', 'fitness', ...traitNames.map((t) => `trait_${t}`)];
  const lines = [header.join(',')];
  for (const a of agents) {
    const fitness = currentFitness(a);
    lines.push(
      [
        String(a.id),
        a.parentId === null ? '[NONE]' : `[${a.parentId}]`,
        String(a.bornAt),
        a.archivedAt === null ? '' : String(a.archivedAt),
        csvField(a.name),
        a.uid,
        String(a.generation),
        a.state,
        String(fitness),
        ...traitNames.map((t) => (a.traits[t] === undefined ? '' : String(a.traits[t]))),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A Newick label: plain when safe, single-quoted otherwise. */
function newickLabel(agent: Agent): string {
  const label = `${agent.name}_${agent.id}`;
  return /^[A-Za-z0-9_.-]+$/.test(label) ? label : `'${label.replaceAll("'", "''")}'`;
}

/** Newick with every branch one generation long. */
export function newick(db: ReadableDB, rootId: number): string {
  const agents = lineageAgents(db, rootId);
  const byId = new Map(agents.map((a) => [a.id, a]));
  const kids = new Map<number, number[]>();
  for (const a of agents) if (a.parentId !== null && byId.has(a.parentId)) kids.set(a.parentId, [...(kids.get(a.parentId) ?? []), a.id]);
  // Children are rendered before parents: process generations deepest first.
  const text = new Map<number, string>();
  for (let i = agents.length - 1; i >= 0; i--) {
    const a = agents[i]!;
    const inner = kids.get(a.id);
    const label = newickLabel(a);
    text.set(a.id, inner ? `(${inner.map((id) => `${text.get(id)!}:1`).join(',')})${label}` : label);
    if (inner) for (const id of inner) text.delete(id);
  }
  return `${text.get(rootId) ?? ''};\n`;
}
