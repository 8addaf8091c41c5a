// What a serial URI says and who is at its port, as plain data: the settings read
// from `serial:PATH?baud=N&format=…`, the SourceError for a port that would not open,
// and the SourceInfo (identity, description, notes) the assessment is stored under.
import { asError } from '../util/as-error.std';
import { normalizeUsbId, ONERNG_SILENT_MODES, ONERNG_WHITENED_MODES, type KnownSerialDevice, type SerialPortFacts } from './serial-devices.std';
import { BITS_PER_SAMPLE, DEFAULT_BAUD, isSerialFormat, SERIAL_FORMATS, type SerialFormat } from './serial-formats/serial-format.std';
import { checkParams, intParam, type ParsedSourceUri } from './source-uri.std';
import { SourceError, type SourceInfo } from './source.std';

const GEIGER_COUNT_NOTE =
  'Per-second Geiger counts carry under 1 bit per second at background radiation (most seconds count 0, 1 or 2), so the 512 assessed bits of a Genesis seed take well over 10 minutes. ' +
  'For more entropy from the same tube, time each pulse with a microcontroller and use format=pulses.';

/** What a device is called in messages when its USB ID does not say. */
export const FORMAT_DEVICE_NAMES: Readonly<Record<SerialFormat, string>> = {
  raw: 'Serial device',
  hex: 'Serial device',
  mightyohm: 'MightyOhm Geiger counter',
  gmc: 'GQ GMC Geiger counter',
  pulses: 'Geiger pulse timer',
};

export interface SerialSettings {
  path: string;
  format: SerialFormat;
  baud: number;
  /** Set by device=onerng; a OneRNG is also recognised by its USB ID. */
  oneRngParam: boolean;
  /** OneRNG noise mode (cmd0–cmd7); undefined leaves the device's mode alone. */
  mode: number | undefined;
}


/** Who is at the path: what the OS reports, and what we make of it. */
export interface SerialIdentity {
  facts: SerialPortFacts | undefined;
  known: KnownSerialDevice | undefined;
  oneRng: boolean;
  /** "TrueRNG", "OneRNG", "MightyOhm Geiger counter", "Serial device". */
  name: string;
  /** Why the OS could not be asked, when it could not. */
  lookupError: string | undefined;
}


/**
 * The SourceError for a port that would not open: a missing device, a missing
 * permission, a port in use, or a path that is no serial port.
 */
export function describeOpenFailure(path: string, error: unknown): SourceError {
  const cause = asError(error);
  const text = `${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message}`;
  if (/ENOENT|No such file or directory/i.test(text)) {
    return new SourceError('unreachable', `There is no serial device at ${path}: check that it is plugged in and that the path is right (ls /dev/ttyACM* /dev/ttyUSB* shows the attached ones on Linux).`, { cause });
  }
  if (/EACCES|EPERM|Permission denied|Operation not permitted/i.test(text)) {
    return new SourceError('permission', `No permission to open ${path}: add yourself to the dialout group: sudo usermod -aG dialout $USER, then log in again.`, { cause });
  }
  if (/EBUSY|Cannot lock port|Resource temporarily unavailable|Device or resource busy/i.test(text)) {
    return new SourceError('unreachable', `${path} is in use by another program: close it (a serial monitor, another LightSeed, or ModemManager probing the port) and try again.`, { cause });
  }
  if (/ENOTTY|Inappropriate ioctl/i.test(text)) {
    return new SourceError('config', `${path} is not a serial port: pick a device such as /dev/ttyACM0 or /dev/ttyUSB0.`, { cause });
  }
  return new SourceError('unreachable', `Could not open ${path}: ${cause.message}.`, { cause });
}

export function readSerialSettings(parsed: ParsedSourceUri): SerialSettings {
  checkParams(parsed, ['baud', 'format', 'device', 'mode']);
  const path = parsed.target;
  if (!path) throw new SourceError('config', 'A serial source needs the device path: serial:/dev/ttyACM0?format=raw.');
  const format = parsed.params.get('format') ?? 'raw';
  if (!isSerialFormat(format)) {
    throw new SourceError('config', `The serial source has no format "${format}": use one of ${SERIAL_FORMATS.join(', ')}.`);
  }
  // 50 baud is the slowest rate termios names; 4 Mbaud the fastest common USB serial bridges take.
  const baud = intParam(parsed, 'baud', DEFAULT_BAUD[format], 50, 4_000_000);
  const device = parsed.params.get('device');
  if (device !== undefined && device !== 'onerng') {
    throw new SourceError('config', `The serial source parameter device=${device} is not known: device=onerng marks a OneRNG whose USB ID the OS does not report.`);
  }
  const oneRngParam = device === 'onerng';
  if (oneRngParam && format !== 'raw') {
    throw new SourceError('config', `A OneRNG sends raw bytes: use format=raw, not format=${format}.`);
  }
  const mode = parsed.params.has('mode') ? intParam(parsed, 'mode', 0, 0, 7) : undefined;
  if (mode !== undefined && ONERNG_SILENT_MODES.includes(mode)) {
    throw new SourceError('config', `OneRNG mode=${mode} turns both noise sources off (it exists to read the firmware): use 1 (avalanche), 3 (avalanche and RF) or 7 (RF), or 0, 2, 6 for whitened output.`);
  }
  return { path, format, baud, oneRngParam, mode };
}


export function describeSerial(settings: SerialSettings, identity: SerialIdentity, state: { gmcVersion: string | undefined; dtrSet: boolean; malformedLines: number }): SourceInfo {
  const { path, format, baud, mode } = settings;
  const { facts, known, oneRng, name } = identity;
  const vendorId = normalizeUsbId(facts?.vendorId);
  const productId = normalizeUsbId(facts?.productId);
  const serialNumber = facts?.serialNumber || undefined;
  const isTrng = oneRng || known?.role === 'trng';
  const query = [`baud=${baud}`, `format=${format}`, ...(settings.oneRngParam ? ['device=onerng'] : []), ...(mode === undefined ? [] : [`mode=${mode}`])];
  // The assessment is stored per identity: the device itself when its serial number
  // says which one, else the port and the settings that shape what is read.
  const deviceName = known?.name ?? (vendorId ? `${vendorId}:${productId ?? '????'}` : undefined);
  const settingsSuffix = `${format === 'raw' ? '' : `/${format}`}${mode === undefined ? '' : `/mode=${mode}`}`;
  const deviceId =
    serialNumber && deviceName ? `serial:${oneRng ? 'OneRNG' : deviceName}:${serialNumber}${settingsSuffix}` : `serial:${path}/${format}/${baud}${mode === undefined ? '' : `/mode=${mode}`}`;
  const via = known && known.role !== 'trng' ? `, via ${known.name}` : '';
  const model = state.gmcVersion ? ` (${state.gmcVersion})` : '';
  const description = isTrng ? `${name} at ${path}` : `${name}${model} at ${path} (format ${format}, ${baud} baud${via})`;
  const metadata: SourceInfo['metadata'] = { path, format, baud, device: name, dtr: state.dtrSet, malformedLines: state.malformedLines };
  if (vendorId) metadata.vendorId = vendorId;
  if (productId) metadata.productId = productId;
  if (serialNumber) metadata.serialNumber = serialNumber;
  if (facts?.manufacturer) metadata.manufacturer = facts.manufacturer;
  if (known && known.role !== 'trng') metadata.usbSerial = known.name;
  if (identity.lookupError) metadata.usbLookupError = identity.lookupError;
  if (oneRng) metadata.oneRngMode = mode ?? 'device default';
  if (state.gmcVersion) metadata.gmcVersion = state.gmcVersion;
  const info: SourceInfo = { uri: `serial:${path}?${query.join('&')}`, kind: 'serial', bitsPerSample: BITS_PER_SAMPLE[format], deviceId, description, metadata };
  if (format === 'mightyohm' || format === 'gmc') {
    info.nominalRate = 1;
    info.note = GEIGER_COUNT_NOTE;
  }
  if (oneRng && (mode === undefined || ONERNG_WHITENED_MODES.includes(mode))) {
    info.note =
      `${mode === undefined ? 'Without mode=, the OneRNG keeps the mode it was last given (mode 0 from power-up), which passes' : `The OneRNG in mode ${mode} passes`} its noise through its whitener, which hides the noise's structure from the entropy assessment and makes it read too high: ` +
      'use mode=1 (avalanche), 3 (avalanche and RF) or 7 (RF) to assess the raw noise.';
  }
  return info;
}
