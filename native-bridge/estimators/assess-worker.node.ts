// Worker-thread entry: runs the SP 800-90B assessment off the main thread, so the
// app stays responsive through the ~20 s an 8-bit, million-sample assessment takes.
import { parentPort } from 'node:worker_threads';
import { assess } from './assess.std';

export interface AssessRequest {
  samples: Uint8Array;
  bitsPerSample: number;
}

export type AssessReply = { type: 'progress'; done: number; total: number } | { type: 'result'; assessment: ReturnType<typeof assess> } | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  port.once('message', (request: AssessRequest) => {
    try {
      const assessment = assess(request.samples, request.bitsPerSample, (done, total) => port.postMessage({ type: 'progress', done, total } satisfies AssessReply));
      port.postMessage({ type: 'result', assessment } satisfies AssessReply);
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message } satisfies AssessReply);
    }
  });
}
