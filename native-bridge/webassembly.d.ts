// The part of the WebAssembly JavaScript API the main process uses (health-scan.wat). Node
// provides the API, but @types/node does not declare it; the renderer's lib.dom does.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Global {
    value: number;
  }
}
