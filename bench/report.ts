// Benchmarks print `name: ours X, reference Y, ratio Z`, both measured in the same run.

export interface Measurement {
  /** Operations per second. */
  rate: number;
  /** Median time of one operation in microseconds. */
  medianUs: number;
}

/** Runs `operation` in batches until `seconds` have passed; returns its rate and median. */
export async function measure(operation: () => Promise<void> | void, seconds = 2, batch = 50): Promise<Measurement> {
  for (let i = 0; i < batch; i++) await operation(); // warm up
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  let count = 0;
  const start = performance.now();
  while (performance.now() < end) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await operation();
    times.push((performance.now() - t0) / batch);
    count += batch;
  }
  times.sort((a, b) => a - b);
  return { rate: count / ((performance.now() - start) / 1000), medianUs: times[Math.floor(times.length / 2)]! * 1000 };
}

/** ratio = ours / reference on the rate: above 1 is faster than the reference. */
export function report(name: string, ours: Measurement, reference: Measurement, unit = 'ops/s'): string {
  const line = `${name}: ours ${ours.rate.toFixed(0)} ${unit} (median ${ours.medianUs.toFixed(1)} µs), reference ${reference.rate.toFixed(0)} ${unit} (median ${reference.medianUs.toFixed(1)} µs), ratio ${(ours.rate / reference.rate).toFixed(3)}`;
  console.log(line);
  return line;
}
