// RIFF/WAVE as the wav source reads it: the chunk walk, the fmt chunk, and the low
// bits of 16-bit PCM samples. Pure: the file is read through a callback, so the same
// code parses a file, a buffer in a test, or a recording in memory.
//
// References:
//   [RIFF]  Microsoft/IBM, Multimedia Programming Interface and Data Specifications 1.0
//           (1991), "Resource Interchange File Format" and "Waveform Audio File Format":
//           "RIFF" u32-LE size "WAVE", then chunks of FOURCC id + u32-LE size + data,
//           each padded to an even length with one byte the size does not count.
//   [EXT]   Microsoft, "Multiple Channel Audio Data and WAVE Files" (2001):
//           WAVE_FORMAT_EXTENSIBLE (0xFFFE), a 40-byte fmt chunk whose SubFormat GUID
//           carries the real format code and whose wValidBitsPerSample may be narrower
//           than the container.

/** What the fmt chunk says; sizes in bytes, rates per second. */
export interface WavFormat {
  /** wFormatTag: 1 PCM, 3 IEEE float, 0xFFFE extensible, … */
  formatTag: number;
  /** For WAVE_FORMAT_EXTENSIBLE, the format code inside SubFormat; otherwise equal to formatTag. */
  subFormat: number;
  /** False when an extensible SubFormat GUID does not end in the Microsoft base (KSDATAFORMAT_SUBTYPE_*). */
  knownSubFormat: boolean;
  channels: number;
  sampleRate: number;
  byteRate: number;
  /** Bytes per frame (one sample of every channel). */
  blockAlign: number;
  /** Bits of each sample's container. */
  bitsPerSample: number;
  /** Bits of each sample that carry signal ([EXT] wValidBitsPerSample); equals bitsPerSample outside extensible. */
  validBitsPerSample: number;
}

/** Where the samples are and how many there are. */
export interface WavLayout {
  format: WavFormat;
  /** File offset of the first sample byte. */
  dataOffset: number;
  /** Bytes of whole frames present in the file (a partial last frame is left out). */
  dataBytes: number;
  /** The size the data chunk header declares. */
  declaredDataBytes: number;
  /** The data chunk declares more bytes than the file holds: the recording was cut short. */
  truncated: boolean;
  frames: number;
}

export type WavProblem =
  /** Not RIFF/WAVE at all. */
  | 'not-wav'
  /** A WAV file, but its samples are not 16-bit PCM. */
  | 'unsupported'
  /** A WAV file whose chunks contradict each other or end too early. */
  | 'malformed';

/** The bytes are not a WAV file the wav source can read; the message says what was found. */
export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';

  constructor(
    readonly problem: WavProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads up to `length` bytes at `offset`; fewer only at the end of the file.
 * The returned bytes may be reused by the caller after the next call.
 */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** [EXT]: every KSDATAFORMAT_SUBTYPE_* GUID is {XXXXXXXX-0000-0010-8000-00AA00389B71}; these are bytes 4..15 as stored. */
const KSDATAFORMAT_SUBTYPE_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** Names of the format codes people meet in practice (mmreg.h), for messages. */
const FORMAT_NAMES: Record<number, string> = {
  0x0001: 'PCM',
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MPEG layer 3',
};

/** Parses the 12-byte RIFF header; throws WavFormatError('not-wav' | 'unsupported') naming what the bytes are instead. */
export function parseRiffHeader(bytes: Uint8Array): void {
  const riff = fourcc(bytes, 0);
  const form = fourcc(bytes, 8);
  if (bytes.length >= 12 && (riff === 'RF64' || riff === 'BW64') && form === 'WAVE') {
    throw new WavFormatError('unsupported', `it is an ${riff} file (WAV with 64-bit sizes, for recordings over 4 GiB), which the wav source does not read; split the recording into WAV files under 4 GiB`);
  }
  if (bytes.length >= 12 && riff === 'RIFX' && form === 'WAVE') {
    throw new WavFormatError('unsupported', 'it is a big-endian RIFX WAV file; convert it to an ordinary little-endian RIFF WAV file');
  }
  if (bytes.length < 12 || riff !== 'RIFF' || form !== 'WAVE') {
    const start = bytes.length === 0 ? 'it is empty' : `it starts with ${describeBytes(bytes.subarray(0, 12))}`;
    throw new WavFormatError('not-wav', `${start}, and a WAV file starts with "RIFF", a size and "WAVE"`);
  }
}

/** Parses a fmt chunk body ([RIFF] WAVEFORMAT / WAVEFORMATEX, [EXT] WAVEFORMATEXTENSIBLE). */
export function parseFmtChunk(body: Uint8Array): WavFormat {
  if (body.length < 16) throw new WavFormatError('malformed', `its fmt chunk is ${body.length} bytes long, shorter than the 16 bytes every WAV fmt chunk has`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const formatTag = view.getUint16(0, true);
  const format: WavFormat = {
    formatTag,
    subFormat: formatTag,
    knownSubFormat: true,
    channels: view.getUint16(2, true),
    sampleRate: view.getUint32(4, true),
    byteRate: view.getUint32(8, true),
    blockAlign: view.getUint16(12, true),
    bitsPerSample: view.getUint16(14, true),
    validBitsPerSample: view.getUint16(14, true),
  };
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    // [EXT]: cbSize (2) + wValidBitsPerSample (2) + dwChannelMask (4) + SubFormat (16) after the 16 common bytes.
    if (body.length < 40) throw new WavFormatError('malformed', `its fmt chunk says WAVE_FORMAT_EXTENSIBLE but is ${body.length} bytes long instead of 40`);
    const valid = view.getUint16(18, true);
    // wValidBitsPerSample 0 means "not given": the whole container is signal.
    format.validBitsPerSample = valid === 0 ? format.bitsPerSample : valid;
    format.subFormat = view.getUint16(24, true);
    format.knownSubFormat = KSDATAFORMAT_SUBTYPE_TAIL.every((byte, i) => body[28 + i] === byte);
  }
  return format;
}

/** Throws WavFormatError unless the samples are 16-bit PCM, saying what they are instead. */
export function checkSixteenBitPcm(format: WavFormat): void {
  const code = format.subFormat;
  const extensible = format.formatTag === WAVE_FORMAT_EXTENSIBLE;
  const supported = 'the wav source reads 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with the PCM subformat)';
  const convert = 'convert it, e.g. `sox IN.wav -b 16 -e signed-integer OUT.wav`, or record at 16 bits';
  if (extensible && !format.knownSubFormat) {
    throw new WavFormatError('unsupported', `it uses WAVE_FORMAT_EXTENSIBLE with a vendor-specific SubFormat GUID; ${supported}: ${convert}`);
  }
  if (code !== WAVE_FORMAT_PCM) {
    const name = FORMAT_NAMES[code] ?? `format 0x${code.toString(16).padStart(4, '0')}`;
    const width = code === WAVE_FORMAT_IEEE_FLOAT ? `${format.bitsPerSample}-bit ` : '';
    throw new WavFormatError('unsupported', `it holds ${width}${name} samples${extensible ? ' (in WAVE_FORMAT_EXTENSIBLE)' : ''}; ${supported}: ${convert}`);
  }
  if (format.bitsPerSample !== 16) {
    throw new WavFormatError('unsupported', `it holds ${format.bitsPerSample}-bit PCM samples; ${supported}: ${convert}`);
  }
  if (format.validBitsPerSample !== 16) {
    // The low bits of a narrower sample in a 16-bit container are padding, always zero:
    // harvesting them would credit entropy that is not there.
    throw new WavFormatError(
      'unsupported',
      `it holds ${format.validBitsPerSample}-bit samples in 16-bit containers, whose low ${16 - format.validBitsPerSample} bits are padding; the wav source needs all 16 bits to be signal: record at a full 16 bits`,
    );
  }
  if (format.channels === 0) throw new WavFormatError('malformed', 'its fmt chunk declares 0 channels');
  if (format.blockAlign !== format.channels * 2) {
    throw new WavFormatError('malformed', `its fmt chunk says ${format.channels} channels of 16 bits but ${format.blockAlign} bytes per frame (expected ${format.channels * 2})`);
  }
  if (format.sampleRate === 0) throw new WavFormatError('malformed', 'its fmt chunk declares a sample rate of 0 Hz');
}

/**
 * Walks the chunks of a WAV file of `fileSize` bytes until it has the fmt chunk and the
 * start of the data chunk, skipping everything else (LIST, fact, cue, bext, JUNK …).
 * A data chunk that declares more bytes than the file holds (a recording cut short) is
 * read as far as whole frames go and reported as truncated.
 */
export async function readWavLayout(readAt: ReadAt, fileSize: number): Promise<WavLayout> {
  parseRiffHeader(await readAt(0, 12));
  // The RIFF size field is not trusted: many recorders leave it stale when they are
  // stopped, so the walk is bounded by the real file size instead.
  let offset = 12;
  let format: WavFormat | undefined;
  let data: { offset: number; declared: number } | undefined;
  while (offset + 8 <= fileSize && !(format && data)) {
    const header = await readAt(offset, 8);
    if (header.length < 8) break;
    const id = fourcc(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (format) throw new WavFormatError('malformed', 'it has two fmt chunks');
      if (body + Math.min(size, 16) > fileSize) throw new WavFormatError('malformed', 'it ends inside its fmt chunk');
      // 40 bytes cover every fmt layout the source reads; longer ones only add cbSize extras.
      format = parseFmtChunk((await readAt(body, Math.min(size, 40))).slice());
      checkSixteenBitPcm(format);
    } else if (id === 'data') {
      if (data) throw new WavFormatError('malformed', 'it has two data chunks');
      data = { offset: body, declared: size };
    }
    // [RIFF]: a chunk of odd size is followed by a pad byte that its size does not count.
    offset = body + size + (size & 1);
  }
  if (!format) {
    throw new WavFormatError('malformed', data ? 'its data chunk comes without a fmt chunk before it, so nothing says how the samples are laid out' : 'it has no fmt chunk');
  }
  if (!data) throw new WavFormatError('malformed', 'it has no data chunk, so there are no samples in it');
  const present = Math.max(0, Math.min(data.declared, fileSize - data.offset));
  const dataBytes = present - (present % format.blockAlign);
  if (dataBytes === 0) {
    throw new WavFormatError('malformed', data.declared === 0 ? 'its data chunk is empty: there are no samples in it' : 'its data chunk holds less than one frame: there are no samples in it');
  }
  return {
    format,
    dataOffset: data.offset,
    dataBytes,
    declaredDataBytes: data.declared,
    truncated: data.declared > present,
    frames: dataBytes / format.blockAlign,
  };
}

/**
 * The low `bits` (1..8) bits of one channel of interleaved 16-bit little-endian frames,
 * one sample per byte. In two's complement the low bits of a sample are the low bits
 * of its bit pattern whatever its sign, and little-endian puts them in the first byte
 * of the sample: so the result is that byte, masked.
 */
export function lowBitsOfChannel(frames: Uint8Array, blockAlign: number, channel: number, bits: number): Uint8Array {
  const mask = (1 << bits) - 1;
  const count = Math.floor(frames.length / blockAlign);
  const out = new Uint8Array(count);
  for (let i = 0, at = 2 * channel; i < count; i++, at += blockAlign) out[i] = frames[at]! & mask;
  return out;
}

/** The low `bits` bits of a signed 16-bit sample, as the two's complement bit pattern has them. */
export function lowBitsOfInt16(sample: number, bits: number): number {
  return sample & ((1 << bits) - 1);
}

function fourcc(bytes: Uint8Array, offset: number): string {
  if (bytes.length < offset + 4) return '';
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

/** Text where the bytes are text (a FOURCC like "FORM" … "AIFF"), hex otherwise, so the user can recognise what the file is. */
function describeBytes(bytes: Uint8Array): string {
  const printable = (part: Uint8Array) => part.length > 0 && part.every((byte) => byte >= 0x20 && byte < 0x7f);
  const text = (part: Uint8Array) => `"${String.fromCharCode(...part)}"`;
  if (printable(bytes)) return text(bytes);
  const id = bytes.subarray(0, 4);
  const form = bytes.subarray(8, 12);
  if (id.length === 4 && printable(id)) return form.length === 4 && printable(form) ? `${text(id)} … ${text(form)}` : text(id);
  return `bytes ${Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ')}`;
}
