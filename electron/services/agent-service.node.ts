// The agent domain's services, made together because they share the pool and the clock:
// life (birth, division, archival), the read model, chat turns and feedback, the council,
// the family trees, character cards and conversation exports. Each is small and calls the agents' pure core and the store;
// the API's handlers call them, never the store.
import type { EventHub } from '../api/event-hub.std';
import type { Identity } from '../identity/identity.node';
import type { Database } from '../store/database.node';
import { AgentLife, type PoolDraw } from './agent-life.node';
import { AgentView } from './agent-view.node';
import { CardService } from './card-service.node';
import { ConversationService } from './conversation-service.node';
import { ChatService } from './chat-service.node';
import { CouncilService } from './council-service.node';
import type { InferenceService } from './inference-service.node';
import { LineageService } from './lineage-service.node';
import { drawSamplingSeed } from './sampling-entropy.node';

export interface AgentServiceOptions {
  /** Where adapters are cached (one folder per model shape). */
  adapterCacheDir: string;
  /** Fresh bytes from the entropy pool. Default: conditioned CPU-jitter output. */
  drawPoolBytes?: PoolDraw;
  now?: () => number;
  /** This installation's identity, which signs the bundles its cards carry. */
  identity: () => Identity;
}

export class AgentService {
  readonly life: AgentLife;
  readonly view: AgentView;
  readonly chat: ChatService;
  readonly council: CouncilService;
  readonly lineage: LineageService;
  readonly cards: CardService;
  readonly conversations: ConversationService;
  /** Fresh bytes from the entropy pool, as every draw of the agents takes them. */
  readonly draw: PoolDraw;

  constructor(database: Database, hub: EventHub, inference: InferenceService, options: AgentServiceOptions) {
    const draw = options.drawPoolBytes ?? ((bytes) => drawSamplingSeed(database.connection, bytes));
    this.draw = draw;
    const now = options.now ?? Date.now;
    this.life = new AgentLife(database, hub, draw, now);
    this.view = new AgentView(database, this.life);
    this.cards = new CardService(database, this.life, now, options.identity);
    this.conversations = new ConversationService(database);
    this.chat = new ChatService(database, inference, this.life, this.cards, { adapterCacheDir: options.adapterCacheDir, draw, now });
    this.council = new CouncilService(database, inference, this.life, this.chat, { draw, now });
    this.lineage = new LineageService(database);
  }
}
