// The user's settings as the API reads and changes them: a change is checked by the
// settings' schema, stored, and announced to every window (settings.changed).
import type { EventHub } from '../api/event-hub.std';
import type { Settings } from '../settings/settings.std';
import type { Database } from '../store/database.node';
import { readSettings, writeSettings } from '../store/settings.node';

export class SettingsService {
  constructor(
    private readonly database: Database,
    private readonly hub: EventHub,
  ) {}

  get(): Settings {
    return readSettings(this.database.connection);
  }

  update(change: Partial<Settings>): Settings {
    const settings = writeSettings(this.database.connection, change);
    this.hub.emit('settings.changed', settings);
    return settings;
  }
}
