// The crash log writes real files: one report a line, stacks indented, rotation at the cap.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logUncaught, openCrashLog, type CrashSource } from '../../electron/main/crash-log.node';
import { makeTempDir } from '../helpers/temp-dir';

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => (dir = makeTempDir()));
afterEach(() => dir.remove());

const at = () => new Date('2026-11-24T12:00:00.000Z');

describe('the crash log', () => {
  it('writes a timestamped line with the error, its stack and its cause, readable only by the user', () => {
    const log = openCrashLog(join(dir.path, 'logs'), { now: at });
    log.write('Renderer gone: crashed (exit code 11)');
    log.write('API method chat.say failed', new Error('engine exited', { cause: new RangeError('bad token') }));
    const text = readFileSync(log.path, 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe('2026-11-24T12:00:00.000Z Renderer gone: crashed (exit code 11)');
    expect(lines[1]).toBe('2026-11-24T12:00:00.000Z API method chat.say failed');
    expect(lines[2]).toBe('    Error: engine exited');
    expect(lines[3]).toMatch(/^ {4}\s+at /);
    expect(text).toMatch(/^ {4}caused by: RangeError: bad token$/m);
    if (process.platform !== 'win32') expect(statSync(log.path).mode & 0o777).toBe(0o600);
  });

  it('rotates at the size cap, keeping one older file', () => {
    const log = openCrashLog(dir.path, { maxBytes: 200, now: at });
    for (let i = 0; i < 12; i++) log.write(`report ${i} ${'x'.repeat(20)}`);
    expect(statSync(log.path).size).toBeLessThanOrEqual(200);
    expect(readFileSync(log.path, 'utf8')).toContain('report 11');
    expect(readFileSync(`${log.path}.1`, 'utf8')).toMatch(/report \d+/);
    expect(existsSync(`${log.path}.2`)).toBe(false);
  });

  it('falls back to the given stream when the folder cannot be written', () => {
    // A file where the folder should be (file modes would not stop root).
    const blocked = join(dir.path, 'not-a-folder');
    writeFileSync(blocked, 'a file');
    const fallback: string[] = [];
    const log = openCrashLog(join(blocked, 'logs'), { fallback: (text) => fallback.push(text), now: at });
    expect(() => log.write('Uncaught exception', new Error('boom'))).not.toThrow();
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatch(/^2026-11-24T12:00:00.000Z Uncaught exception\n {4}Error: boom/);
    expect(fallback[0]).toContain('could not write');
  });

  it('logs uncaught exceptions and unhandled rejections from the process', () => {
    const source = new EventEmitter() as EventEmitter & CrashSource;
    const log = openCrashLog(dir.path, { now: at });
    logUncaught(source, log);
    source.emit('uncaughtException', new TypeError('x is undefined'), 'uncaughtException');
    source.emit('unhandledRejection', 'a plain reason');
    const text = readFileSync(log.path, 'utf8');
    expect(text).toContain('Uncaught exception (uncaughtException) in the main process\n    TypeError: x is undefined');
    expect(text).toContain('Unhandled promise rejection in the main process\n    a plain reason');
  });
});
