// Drawings of raw samples on a canvas, fitted to the source: I/Q constellation and
// spectrum for rtl_tcp, a waveform for audio, a histogram for byte-wide TRNGs, and a
// bit map of the raw bits for every source.

export interface Colours {
  ink: string;
  muted: string;
  grid: string;
}

function prepare(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

const size = (canvas: HTMLCanvasElement) => canvas.getBoundingClientRect();

/** Interleaved u8 I/Q (centred on 127.5) as points in the plane. */
export function drawConstellation(canvas: HTMLCanvasElement, samples: readonly number[], colours: Colours): void {
  const ctx = prepare(canvas);
  const { width, height } = size(canvas);
  const s = Math.min(width, height);
  ctx.strokeStyle = colours.grid;
  ctx.strokeRect((width - s) / 2, (height - s) / 2, s, s);
  ctx.beginPath();
  ctx.moveTo(width / 2, 0);
  ctx.lineTo(width / 2, height);
  ctx.moveTo(0, height / 2);
  ctx.lineTo(width, height / 2);
  ctx.stroke();
  ctx.fillStyle = colours.ink;
  ctx.globalAlpha = 0.35;
  for (let i = 0; i + 1 < samples.length; i += 2) {
    const x = (width - s) / 2 + (samples[i]! / 255) * s;
    const y = (height - s) / 2 + (1 - samples[i + 1]! / 255) * s;
    ctx.fillRect(x, y, 1.5, 1.5);
  }
  ctx.globalAlpha = 1;
}

/** In-place radix-2 FFT of (re, im); length a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/** Power spectrum (dB) of interleaved u8 I/Q, DC in the middle. */
export function iqSpectrum(samples: readonly number[], bins = 256): Float64Array {
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const power = new Float64Array(bins);
  const frames = Math.max(1, Math.floor(samples.length / (2 * bins)));
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      const i = 2 * (f * bins + k);
      // Hann window against leakage.
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (bins - 1));
      re[k] = ((samples[i] ?? 127.5) - 127.5) * w;
      im[k] = ((samples[i + 1] ?? 127.5) - 127.5) * w;
    }
    fft(re, im);
    for (let k = 0; k < bins; k++) {
      const at = (k + bins / 2) % bins;
      power[at] = power[at]! + (re[k]! * re[k]! + im[k]! * im[k]!) / frames;
    }
  }
  return power.map((p) => 10 * Math.log10(p + 1e-9));
}

export function drawSpectrum(canvas: HTMLCanvasElement, samples: readonly number[], colours: Colours): void {
  const ctx = prepare(canvas);
  const { width, height } = size(canvas);
  const db = iqSpectrum(samples);
  const max = Math.max(...db);
  const min = max - 60;
  ctx.strokeStyle = colours.ink;
  ctx.beginPath();
  db.forEach((v, k) => {
    const x = (k / (db.length - 1)) * width;
    const y = height - ((Math.max(min, v) - min) / (max - min || 1)) * height;
    if (k === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

export function drawWaveform(canvas: HTMLCanvasElement, samples: readonly number[], bitsPerSample: number, colours: Colours): void {
  const ctx = prepare(canvas);
  const { width, height } = size(canvas);
  const top = 2 ** bitsPerSample - 1 || 1;
  const shown = samples.slice(-Math.min(samples.length, Math.floor(width * 2)));
  ctx.strokeStyle = colours.grid;
  ctx.beginPath();
  ctx.moveTo(0, height / 2);
  ctx.lineTo(width, height / 2);
  ctx.stroke();
  ctx.strokeStyle = colours.ink;
  ctx.beginPath();
  shown.forEach((v, i) => {
    const x = (i / Math.max(1, shown.length - 1)) * width;
    const y = height - (v / top) * height;
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

/** Counts of each sample value: flat for a good TRNG, spiky for a stuck or biased one. */
export function drawHistogram(canvas: HTMLCanvasElement, samples: readonly number[], bitsPerSample: number, colours: Colours): void {
  const ctx = prepare(canvas);
  const { width, height } = size(canvas);
  const bins = Math.min(256, 2 ** bitsPerSample);
  const counts = new Array<number>(bins).fill(0);
  for (const v of samples) counts[Math.min(bins - 1, Math.floor((v / 2 ** bitsPerSample) * bins))]!++;
  const max = Math.max(1, ...counts);
  const expected = samples.length / bins;
  ctx.fillStyle = colours.ink;
  counts.forEach((c, i) => {
    const h = (c / max) * height;
    ctx.fillRect((i / bins) * width, height - h, Math.max(1, width / bins - 1), h);
  });
  ctx.strokeStyle = colours.muted;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(0, height - (expected / max) * height);
  ctx.lineTo(width, height - (expected / max) * height);
  ctx.stroke();
  ctx.setLineDash([]);
}

/** The raw bits, most significant first, as black and white pixels (structure shows as patterns). */
export function drawBitmap(canvas: HTMLCanvasElement, samples: readonly number[], bitsPerSample: number, colours: Colours): void {
  const ctx = prepare(canvas);
  const { width, height } = size(canvas);
  const columns = 128;
  const cell = width / columns;
  const rows = Math.floor(height / cell);
  const bits: number[] = [];
  for (let i = samples.length - 1; i >= 0 && bits.length < columns * rows; i--) {
    for (let b = bitsPerSample - 1; b >= 0; b--) bits.push((samples[i]! >> b) & 1);
  }
  ctx.fillStyle = colours.ink;
  bits.forEach((bit, i) => {
    if (bit) ctx.fillRect((i % columns) * cell, Math.floor(i / columns) * cell, cell, cell);
  });
}

/**
 * A Geiger counter's samples as a timeline: one tick per sample, its height the count in
 * that second (or the interval comparison bit for pulse timing), newest on the right,
 * with the running mean for scale.
 */
export function drawTimeline(canvas: HTMLCanvasElement, samples: readonly number[], colours: Colours): void {
  const ctx = prepare(canvas);
  const { width, height } = size(canvas);
  const shown = samples.slice(-Math.min(samples.length, Math.floor(width / 3)));
  const max = Math.max(1, ...shown);
  const mean = shown.reduce((a, b) => a + b, 0) / Math.max(1, shown.length);
  ctx.fillStyle = colours.ink;
  shown.forEach((v, i) => {
    const h = Math.max(1, (v / max) * (height - 14));
    ctx.fillRect(width - (shown.length - i) * 3, height - h, 2, h);
  });
  ctx.strokeStyle = colours.muted;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  ctx.moveTo(0, height - (mean / max) * (height - 14));
  ctx.lineTo(width, height - (mean / max) * (height - 14));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = colours.muted;
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText(`mean ${mean.toFixed(2)} per sample, max ${max}`, 4, 10);
}
