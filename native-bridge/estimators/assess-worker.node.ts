// Worker-thread entry: runs steps of the SP 800-90B assessment off the main thread, so
// the app stays responsive, and several workers share an assessment's estimators
// (assessors.node.ts splits them), as NIST's tool spreads them over cores with OpenMP.
import { parentPort } from 'node:worker_threads';
import { runAssessmentSteps, type AssessmentStep } from './assess.std';
import { prepareDataset } from './dataset.std';

export interface AssessRequest {
  samples: Uint8Array;
  bitsPerSample: number;
  steps: AssessmentStep[];
}

export type AssessReply = { type: 'step'; index: number } | { type: 'values'; values: number[] } | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  // One request after another: the worker waits between assessments for the next.
  port.on('message', (request: AssessRequest) => {
    try {
      const dataset = prepareDataset(request.samples, request.bitsPerSample);
      const values = runAssessmentSteps(dataset, request.steps, (index) => port.postMessage({ type: 'step', index } satisfies AssessReply));
      port.postMessage({ type: 'values', values } satisfies AssessReply);
    } catch (error) {
      port.postMessage({ type: 'error', message: (error as Error).message } satisfies AssessReply);
    }
  });
}
