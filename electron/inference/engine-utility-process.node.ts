// The inference engine as an Electron utility process, written against the members of
// Electron's UtilityProcess it uses so that it is tested without Electron (with a Node
// child that is given Electron's process.parentPort). engine-process.main.ts hands it
// the real utilityProcess.fork. Same EngineProcess as the Node child of CLI and browser
// mode: a llama.cpp crash takes that process down, never the main one.
import type { EngineProcess, EngineSpawner } from './engine-client.node';
import type { EngineReply, EngineRequest } from './engine-protocol.std';

/** The members of Electron's UtilityProcess used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: EngineRequest): void;
  on(event: 'message', listener: (message: EngineReply) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface UtilityForkOptions {
  stdio: ['ignore', 'ignore', 'pipe'];
  serviceName: string;
}

export type UtilityFork = (modulePath: string, args: string[], options: UtilityForkOptions) => UtilityProcessLike;

export function utilityEngineSpawner(fork: UtilityFork): EngineSpawner {
  return (workerPath): EngineProcess => {
    const child = fork(workerPath, [], { stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'LightSeed inference engine' });
    return {
      get pid() {
        return child.pid;
      },
      send: (request) => child.postMessage(request),
      onMessage: (listener) => void child.on('message', listener),
      // A utility process reports an exit code only; a crash shows as a non-zero code.
      onExit: (listener) => void child.on('exit', (code) => listener(code, null)),
      onStderr: (listener) => void child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString())),
      kill: () => void child.kill(),
      // A utility process has no channel to close: ending it is how the engine stops.
      close: () => void child.kill(),
    };
  };
}
