// Two ways to run the assessment behind the harvest's Assessor type: in this
// thread (tests, the CLI's `assess`), or in a worker thread (the app and `harvest`).
import { Worker } from 'node:worker_threads';
import type { Assessor } from '../harvest/crediting.std';
import { assess } from './assess.std';
import type { AssessReply, AssessRequest } from './assess-worker.node';

export const assessInThisThread: Assessor = async (samples, bitsPerSample, onProgress) => assess(samples, bitsPerSample, onProgress);

/** Runs each assessment in a fresh worker from the built entry at `workerPath` (out/main/assess-worker.js). */
export function workerAssessor(workerPath: string): Assessor {
  return (samples, bitsPerSample, onProgress) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerPath);
      let settled = false;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        action();
        void worker.terminate();
      };
      worker.on('message', (reply: AssessReply) => {
        if (reply.type === 'progress') onProgress(reply.done, reply.total);
        else if (reply.type === 'result') finish(() => resolve(reply.assessment));
        else finish(() => reject(new Error(`The entropy assessment failed: ${reply.message}`)));
      });
      worker.on('error', (error) => finish(() => reject(new Error(`The entropy assessment worker crashed: ${error.message}`, { cause: error }))));
      worker.on('exit', (code) => finish(() => reject(new Error(`The entropy assessment worker exited (code ${code}) before answering.`))));
      worker.postMessage({ samples, bitsPerSample } satisfies AssessRequest);
    });
}
