// USB serial devices LightSeed knows by their USB vendor and product IDs (the IDs
// the OS reports for a port; Linux usb.ids, the vendors' manuals), what each is,
// and what a TRNG needs to start streaming.

export type SerialDeviceRole =
  /** A hardware random number generator streaming raw bytes. */
  | 'trng'
  /** A USB-to-serial bridge chip: the device behind it could be anything. */
  | 'usb-serial'
  /** A microcontroller board, e.g. one timing Geiger pulses. */
  | 'microcontroller';

export interface KnownSerialDevice {
  /** Short name for people and device identities: "TrueRNG", "CH340". */
  name: string;
  role: SerialDeviceRole;
  /** What the user might try with it, for the list of attached ports. */
  hint?: string;
}

const TRUERNG_HINT = 'streams raw random bytes: format=raw';

const BY_USB_ID: Readonly<Record<string, KnownSerialDevice>> = {
  // ubld.it TrueRNG (v1–v3) under Microchip's vendor ID; it streams while DTR is set.
  '04D8:F5FE': { name: 'TrueRNG', role: 'trng', hint: TRUERNG_HINT },
  '16D0:0AA0': { name: 'TrueRNG Pro', role: 'trng', hint: TRUERNG_HINT },
  '04D8:EBB5': { name: 'TrueRNG ProV2', role: 'trng', hint: TRUERNG_HINT },
  // OneRNG under the OpenMoko vendor ID (OpenBSD uonerng.c matches OPENMOKO2_ONERNG).
  '1D50:6086': { name: 'OneRNG', role: 'trng', hint: 'streams raw random bytes after cmdO: format=raw' },
  // WCH CH340: the bridge inside GQ GMC-300/320 Geiger counters.
  '1A86:7523': { name: 'CH340', role: 'usb-serial', hint: 'GQ GMC Geiger counters use this chip: format=gmc' },
  // Silicon Labs CP2102/CP2104.
  '10C4:EA60': { name: 'CP210x', role: 'usb-serial' },
  // FTDI FT232R and FT-X: the TTL-232R cable the MightyOhm Geiger kit's serial header takes.
  '0403:6001': { name: 'FTDI', role: 'usb-serial', hint: 'a MightyOhm Geiger counter on an FTDI cable: format=mightyohm' },
  '0403:6015': { name: 'FTDI', role: 'usb-serial', hint: 'a MightyOhm Geiger counter on an FTDI cable: format=mightyohm' },
};

/** "VVVV:PPPP" of every hardware RNG above: what the udev rule shipped for Linux lets the user open. */
export const TRNG_USB_IDS: readonly string[] = Object.keys(BY_USB_ID).filter((id) => BY_USB_ID[id]!.role === 'trng');

/** Vendors whose every product is a board of theirs: Arduino LLC and Arduino SRL. */
const BY_VENDOR: Readonly<Record<string, KnownSerialDevice>> = {
  '2341': { name: 'Arduino', role: 'microcontroller', hint: 'a Geiger pulse timer sketch: format=pulses' },
  '2A03': { name: 'Arduino', role: 'microcontroller', hint: 'a Geiger pulse timer sketch: format=pulses' },
};

/** "4d8", "0x04d8", "04D8" → "04D8"; undefined for anything that is not a 16-bit hex ID. */
export function normalizeUsbId(id: string | undefined): string | undefined {
  const digits = id?.trim().replace(/^0x/i, '');
  if (!digits || !/^[0-9a-fA-F]{1,4}$/.test(digits)) return undefined;
  return digits.toUpperCase().padStart(4, '0');
}

/** Names a port's device from the USB vendor and product IDs the OS reports for it. */
export function nameSerialDevice(vendorId: string | undefined, productId: string | undefined): KnownSerialDevice | undefined {
  const vendor = normalizeUsbId(vendorId);
  if (!vendor) return undefined;
  const product = normalizeUsbId(productId);
  return (product && BY_USB_ID[`${vendor}:${product}`]) || BY_VENDOR[vendor];
}

/** What the OS reports for a serial port (the fields of serialport's PortInfo that matter here). */
export interface SerialPortFacts {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export interface SerialPortDescription {
  path: string;
  /** The device's name when its USB ID is known ("TrueRNG", "CH340"). */
  name?: string;
  role?: SerialDeviceRole;
  /** USB IDs as 4 upper-case hex digits, when the port is on USB. */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** For people: "TrueRNG at /dev/ttyACM0", "CH340 USB serial at /dev/ttyUSB0". */
  label: string;
  /** What to try with it, when the device suggests a format. */
  hint?: string;
  /** A source URI that works as is: only for TRNGs, whose format is certain. */
  uri?: string;
}

export function describeSerialPort(port: SerialPortFacts): SerialPortDescription {
  const vendorId = normalizeUsbId(port.vendorId);
  const productId = normalizeUsbId(port.productId);
  const known = nameSerialDevice(vendorId, productId);
  const label = known
    ? `${known.name}${known.role === 'usb-serial' ? ' USB serial' : ''} at ${port.path}`
    : `${vendorId ? `USB serial device ${vendorId}:${productId ?? '????'}` : 'Serial port'} at ${port.path}${port.manufacturer ? ` (${port.manufacturer})` : ''}`;
  return {
    path: port.path,
    ...(known && { name: known.name, role: known.role }),
    ...(known?.hint && { hint: known.hint }),
    ...(vendorId && { vendorId }),
    ...(productId && { productId }),
    ...(port.serialNumber && { serialNumber: port.serialNumber }),
    ...(port.manufacturer && { manufacturer: port.manufacturer }),
    label,
    ...(known?.role === 'trng' && { uri: `serial:${port.path}?format=raw` }),
  };
}

/**
 * OneRNG's text commands (firmware cdc_app.c; the OneRNG package's onerng.sh writes
 * them with echo, hence the newline): cmdO starts the stream, cmdo stops it, and
 * cmd0–cmd7 choose the noise: 0 avalanche through the whitener (power-on default),
 * 1 avalanche raw, 2 avalanche and RF whitened, 3 avalanche and RF raw, 4 and 5 no
 * noise at all (used to read the firmware), 6 RF whitened, 7 RF raw.
 */
export const ONERNG_COMMANDS = {
  start: 'cmdO\n',
  stop: 'cmdo\n',
  mode: (mode: number) => `cmd${mode}\n`,
} as const;

/** OneRNG modes that gather no noise: harvesting them would credit a constant. */
export const ONERNG_SILENT_MODES: readonly number[] = [4, 5];

/** OneRNG modes whose output went through the on-board whitener. */
export const ONERNG_WHITENED_MODES: readonly number[] = [0, 2, 6];
