// The parts of the Holepunch stack (plain JavaScript) that LightSeed uses: Hyperswarm, HyperDHT,
// Protomux, compact-encoding, Hypercore and Corestore.
declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events';
  export interface KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
  }
  export interface DHTOptions {
    bootstrap?: { host: string; port: number }[];
    host?: string;
    port?: number;
    ephemeral?: boolean;
    keyPair?: KeyPair;
  }
  export default class DHT extends EventEmitter {
    constructor(options?: DHTOptions);
    static keyPair(seed?: Buffer): KeyPair;
    fullyBootstrapped(): Promise<void>;
    destroy(): Promise<void>;
  }
}

declare module 'hyperdht/testnet.js' {
  import type DHT from 'hyperdht';
  export interface Testnet {
    bootstrap: { host: string; port: number }[];
    nodes: DHT[];
    createNode(options?: Record<string, unknown>): DHT;
    destroy(): Promise<void>;
  }
  export default function createTestnet(size?: number, options?: { host?: string; port?: number }): Promise<Testnet>;
}

declare module 'hyperswarm' {
  import type { EventEmitter } from 'node:events';
  import type { Duplex } from 'node:stream';
  import type DHT from 'hyperdht';
  import type { KeyPair } from 'hyperdht';
  export interface PeerInfo {
    publicKey: Buffer;
  }
  /** A Noise-encrypted connection; `remotePublicKey` is the peer's authenticated key. */
  export interface SwarmSocket extends Duplex {
    remotePublicKey: Buffer;
  }
  export interface Discovery {
    flushed(): Promise<void>;
    /** Announces and looks up the topic again now. */
    refresh(options?: { server?: boolean; client?: boolean }): Promise<void>;
    destroy(): Promise<void>;
  }
  export interface SwarmOptions {
    keyPair?: KeyPair;
    bootstrap?: { host: string; port: number }[];
    dht?: DHT;
    maxPeers?: number;
    /** Return true to refuse a peer (checked before any data flows). */
    firewall?: (remotePublicKey: Buffer) => boolean;
  }
  export default class Hyperswarm extends EventEmitter {
    constructor(options?: SwarmOptions);
    keyPair: KeyPair;
    connections: Set<SwarmSocket>;
    join(topic: Buffer, options?: { server?: boolean; client?: boolean }): Discovery;
    leave(topic: Buffer): Promise<void>;
    flush(): Promise<void>;
    destroy(): Promise<void>;
    on(event: 'connection', listener: (socket: SwarmSocket, info: PeerInfo) => void): this;
  }
}

declare module 'protomux' {
  import type { Duplex } from 'node:stream';
  export interface Encoding {
    preencode(state: unknown, value: unknown): void;
    encode(state: unknown, value: unknown): void;
    decode(state: unknown): unknown;
  }
  export interface Message {
    send(value: Uint8Array): boolean;
  }
  export interface Channel {
    addMessage(options: { encoding: Encoding; onmessage: (value: Uint8Array) => void }): Message;
    open(handshake?: unknown): void;
    close(): void;
  }
  /** Several message-oriented protocols over one stream (Holepunch). */
  export default class Protomux {
    static from(stream: Duplex): Protomux;
    createChannel(options: { protocol: string; id?: Uint8Array | null; onopen?: () => void; onclose?: () => void }): Channel | null;
  }
}

declare module 'compact-encoding' {
  import type { Encoding } from 'protomux';
  const c: { raw: Encoding };
  export default c;
}

declare module 'hypercore' {
  import type { EventEmitter } from 'node:events';
  /** A signed append-only log (Holepunch). */
  export default class Hypercore extends EventEmitter {
    static key(publicKey: Buffer): Buffer;
    readonly key: Buffer;
    readonly length: number;
    readonly writable: boolean;
    ready(): Promise<void>;
    append(block: unknown): Promise<{ length: number }>;
    get(index: number, options?: { wait?: boolean; timeout?: number }): Promise<unknown>;
    update(options?: { wait?: boolean }): Promise<boolean>;
    download(range?: { start?: number; end?: number }): { done(): Promise<void>; destroy(): void };
    close(): Promise<void>;
    on(event: 'append', listener: () => void): this;
  }
}

declare module 'corestore' {
  import type { Duplex } from 'node:stream';
  import type Hypercore from 'hypercore';
  import type { KeyPair } from 'hyperdht';
  /** Many Hypercores in one folder, replicated together over a connection (Holepunch). */
  export default class Corestore {
    constructor(storage: string);
    get(options: { keyPair?: KeyPair; key?: Buffer; valueEncoding?: 'json' | 'binary' }): Hypercore;
    replicate(stream: Duplex): Duplex;
    ready(): Promise<void>;
    close(): Promise<void>;
  }
}
