// The inference engine as an Electron utility process: llama.cpp crashes take that
// process down, never the main one. Same messages as the Node child process of CLI
// and browser mode (engine-worker.node.ts answers on process.parentPort).
import { utilityProcess } from 'electron';
import type { EngineSpawner } from '../inference/engine-host.node';
import type { EngineReply } from '../inference/engine-protocol.std';

export const utilityProcessEngine: EngineSpawner = (workerPath) => {
  const child = utilityProcess.fork(workerPath, [], { stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'LightSeed inference engine' });
  return {
    get pid() {
      return child.pid;
    },
    send: (request) => child.postMessage(request),
    onMessage: (listener) => void child.on('message', (reply: EngineReply) => listener(reply)),
    // A utility process reports an exit code only; a crash shows as a non-zero code.
    onExit: (listener) => void child.on('exit', (code) => listener(code, null)),
    onStderr: (listener) => void child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
    kill: () => void child.kill(),
    close: () => void child.kill(),
  };
};
