// Runs a bundled writer process on a database file and SIGKILLs it mid-burst, for the
// crash tests: the writer prints "ready" once its first transactions have committed.
import { spawn } from 'node:child_process';

/** Starts the writer on `file`, waits for its "ready", kills it `delayMs` later; resolves with how it ended. */
export async function writeUntilKilled(writer: string, file: string, delayMs: number): Promise<{ signal: NodeJS.Signals | null; code: number | null; output: string }> {
  const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The writer printed no "ready" within 10 s:\n${output}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`The writer exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  return { ...(await exited), output };
}

