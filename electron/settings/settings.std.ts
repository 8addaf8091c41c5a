// The user's preferences: their schema and defaults, the one definition the store validates
// what it reads against and the API serves (api/contract.std.ts re-exports it).
import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof Theme>;

export const Settings = z.strictObject({
  theme: Theme,
  /** rtl_tcp servers the user harvests from, as rtltcp:// URIs. */
  rtltcpEndpoints: z.array(z.string().regex(/^rtltcp:\/\/[^\s]+$/).max(300)).max(32),
  /** Threads llama.cpp uses; 0: the fastest count, measured when a model first loads on this machine. */
  inferenceThreads: z.number().int().min(0).max(256),
  /** R: interactions between an agent's divisions at fitness 0. */
  divisionThreshold: z.number().int().min(1).max(100_000),
  /** s: how much sooner fitter agents divide (threshold R·exp(−s·f)). */
  selectionPressure: z.number().min(0).max(10),
  /** Agents unused this many days are archived. */
  archiveIdleDays: z.number().min(1).max(36_500),
  /** Agents whose fitness falls below this are archived. */
  fitnessFloor: z.number().min(-1000).max(0),
  /**
   * What agents call the person (a character card's {{user}}). It goes into prompts, so one line
   * without braces or angle brackets (a macro inside a name would be expanded again).
   */
  userName: z
    .string()
    .max(40, 'A name is at most 40 characters.')
    .regex(/^[^\s{}<>](?:[^\n\r\t{}<>]*[^\s{}<>])?$/, 'A name is one line, without braces, angle brackets or spaces at either end.'),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = {
  theme: 'system',
  rtltcpEndpoints: [],
  inferenceThreads: 0,
  divisionThreshold: 25,
  selectionPressure: 0.1,
  archiveIdleDays: 90,
  fitnessFloor: -5,
  userName: 'User',
};
