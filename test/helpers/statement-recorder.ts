// A better-sqlite3 connection that remembers every statement run through it, with its
// parameters, so a test can ask SQLite how it plans the statements the code really runs
// (EXPLAIN QUERY PLAN on the real text, as Signal Desktop's explainQueryPlan does).
import type BetterSqlite3 from 'better-sqlite3';

export interface RecordedStatement {
  sql: string;
  params: unknown[];
}

/** Methods of a statement that return the statement itself: the proxy must come back instead. */
const CHAINING = new Set(['pluck', 'raw', 'expand', 'safeIntegers', 'bind']);
const RUNNING = new Set(['get', 'all', 'run', 'iterate']);

export function recordingConnection(db: BetterSqlite3.Database): { connection: BetterSqlite3.Database; statements: RecordedStatement[] } {
  const statements: RecordedStatement[] = [];
  const wrap = (statement: BetterSqlite3.Statement): BetterSqlite3.Statement =>
    new Proxy(statement, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        const name = String(property);
        return (...args: unknown[]) => {
          if (RUNNING.has(name)) statements.push({ sql: target.source, params: args });
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return CHAINING.has(name) ? receiver : result;
        };
      },
    });
  const connection = new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property === 'prepare') return (sql: string) => wrap(target.prepare(sql));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { connection, statements };
}

/** SQLite's plan of a recorded statement, one line per step. */
export function queryPlan(db: BetterSqlite3.Database, statement: RecordedStatement): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).all(...statement.params) as { detail: string }[]).map((row) => row.detail);
}

/**
 * Steps that read a whole table: no index, no primary key, not a virtual table's own
 * search, not the work queue of a recursive query (`WITH RECURSIVE up(…)`: SCAN up).
 */
export function fullScans(sql: string, plan: readonly string[]): string[] {
  // Common table expressions: `WITH [RECURSIVE] name(columns) AS (`, and `, name(columns) AS (` after it.
  const queues = new Set([...sql.matchAll(/(?:WITH(?: RECURSIVE)?|,)\s*(\w+)\s*(?:\([^)]*\))?\s+AS\s*\(/gi)].map((m) => m[1]!.toLowerCase()));
  return plan.filter((step) => {
    const scanned = /^SCAN (\w+)/.exec(step)?.[1]?.toLowerCase();
    if (!scanned || queues.has(scanned) || scanned === 'json_each') return false;
    return !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|VIRTUAL TABLE|CONSTANT ROW/.test(step);
  });
}
