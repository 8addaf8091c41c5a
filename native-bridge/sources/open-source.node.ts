// Opens any source from its URI: the one place that knows every kind.
import { openFileSource } from './file.node';
import { openJitterSource } from './jitter.node';
import { openRtlTcpSource } from './rtltcp.node';
import { openSerialSource } from './serial.node';
import { parseSourceUri } from './source-uri.std';
import { SourceError, type SampleSource } from './source.std';

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
    default:
      throw new SourceError('config', `${parsed.kind}: sources are not available in this build.`);
  }
}
