// What `lightseed sources` and the Bridge view offer: the built-in CPU jitter,
// attached serial devices, audio inputs and the rtl_tcp endpoints the user saved.
import { cpus } from 'node:os';
import { listAudioInputs } from './audio.node';
import { listSerialPorts } from './serial.node';

export interface SourceListing {
  uri: string;
  kind: 'jitter' | 'rtltcp' | 'serial' | 'audio' | 'wav' | 'file';
  label: string;
  detail?: string;
  note?: string;
}

export interface ListSourcesOptions {
  /** rtl_tcp URIs the user configured. */
  rtltcpEndpoints?: readonly string[];
}

export async function listSources(options: ListSourcesOptions = {}): Promise<SourceListing[]> {
  const sources: SourceListing[] = [
    { uri: 'jitter:', kind: 'jitter', label: 'CPU execution jitter', detail: `${cpus()[0]?.model.trim() ?? 'this CPU'}, built in` },
  ];
  let ports: Awaited<ReturnType<typeof listSerialPorts>> = [];
  try {
    ports = await listSerialPorts();
  } catch (error) {
    // No udev (a container, a minimal system): say so in the list instead of failing it; a path still works by hand.
    sources.push({ uri: 'serial:/dev/ttyACM0?format=raw', kind: 'serial', label: 'Serial devices (cannot list)', note: (error as Error).message });
  }
  for (const port of ports) {
    sources.push({
      uri: port.uri ?? `serial:${port.path}?format=raw`,
      kind: 'serial',
      label: port.label,
      ...(port.hint || port.vendorId ? { detail: [port.vendorId && `USB ${port.vendorId}:${port.productId}`, port.hint].filter(Boolean).join(' · ') } : {}),
    });
  }
  try {
    for (const input of await listAudioInputs()) {
      sources.push({ uri: `audio:${input.id}`, kind: 'audio', label: `Line-in: ${input.label}`, detail: '48 kHz mono, low 4 bits of each sample' });
    }
  } catch (error) {
    // No audio stack (no ALSA, no device): say so in the list instead of failing it.
    sources.push({ uri: 'audio:default', kind: 'audio', label: 'Line-in (not available)', note: (error as Error).message });
  }
  for (const uri of options.rtltcpEndpoints ?? []) {
    sources.push({ uri, kind: 'rtltcp', label: `RTL-SDR via rtl_tcp`, detail: uri.replace(/^rtltcp:\/\//, '') });
  }
  return sources;
}
