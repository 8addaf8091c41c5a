// Opens any source from its URI: the one place that knows every kind.
import { openAudioSource } from './audio.node';
import { openFileSource } from './file.node';
import { openJitterSource } from './jitter.node';
import { openRtlTcpSource } from './rtltcp.node';
import { openSerialSource } from './serial.node';
import { openWavSource } from './wav.node';
import { parseSourceUri } from './source-uri.std';
import type { SampleSource } from './source.std';

export async function openSource(uri: string): Promise<SampleSource> {
  const parsed = parseSourceUri(uri);
  switch (parsed.kind) {
    case 'jitter':
      return openJitterSource(parsed);
    case 'file':
      return openFileSource(parsed);
    case 'rtltcp':
      return openRtlTcpSource(parsed);
    case 'serial':
      return openSerialSource(parsed);
    case 'wav':
      return openWavSource(parsed);
    case 'audio':
      return openAudioSource(parsed);
  }
}
