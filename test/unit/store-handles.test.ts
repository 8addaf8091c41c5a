// Reads and writes take different handle types (store/sql.node.ts). The compiler is the
// check here: `npm test` type-checks this file, and each @ts-expect-error fails the build
// if the line it marks ever compiles, that is if a read-only handle could reach a write.
import { describe, expect, it } from 'vitest';
import { addFeedback } from '../../electron/store/feedback.node';
import { archiveAgent, getAgent } from '../../electron/store/lineage.node';
import type { ReadableDB, WritableDB } from '../../electron/store/sql.node';
import { writeSettings } from '../../electron/store/settings.node';

describe('store handles', () => {
  it('give reads to any handle and writes only to the writer', () => {
    const readOnly = (db: ReadableDB) => {
      getAgent(db, 1);
      // @ts-expect-error archiveAgent writes
      archiveAgent(db, 1, 0);
      // @ts-expect-error addFeedback writes
      addFeedback(db, { agentId: 1, kind: 'up', createdAt: 0 });
      // @ts-expect-error writeSettings writes
      writeSettings(db, {});
    };
    const writer = (db: WritableDB) => {
      getAgent(db, 1);
      archiveAgent(db, 1, 0);
    };
    expect([readOnly, writer].map((f) => f.length)).toEqual([1, 1]);
  });
});
