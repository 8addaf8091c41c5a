// Numerical helpers shared by the SP 800-90B estimators. They follow NIST's
// reference implementation (SP800-90B_EntropyAssessment, cpp/shared/utils.h) so
// that our estimates match `ea_non_iid` on the same file.

/** z_(1−0.005): the 99% upper confidence bound used throughout SP 800-90B §6.3. */
export const Z_ALPHA = 2.5758293035489008;

const DBL_MIN = 2.2250738585072014e-308;
const DBL_EPSILON = 2.220446049250313e-16;
/** Bisection steps; enough to exhaust a double's precision. */
const ITERMAX = 1076;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bits(x: number): bigint {
  f64[0] = x;
  return u64[0]!;
}

/** "Equal enough": relative closeness, falling back to absolute or ULP distance. */
export function relEpsilonEqual(a: number, b: number, maxAbs = DBL_MIN, maxRel = DBL_EPSILON, maxUlp = 4): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  let absA = Math.abs(a);
  let absB = Math.abs(b);
  if (absA > absB) {
    [a, b] = [b, a];
    [absA, absB] = [absB, absA];
  }
  const diff = Math.abs(b - a);
  if (absA < DBL_MIN || diff < DBL_MIN || !Number.isFinite(diff) || absB * maxRel < DBL_MIN) return diff <= maxAbs;
  if (diff <= absB * maxRel) return true;
  if (Math.sign(a) !== Math.sign(b)) return false;
  return bits(absB) - bits(absA) <= BigInt(maxUlp);
}

function inClosed(x: number, a: number, b: number): boolean {
  return a > b ? x >= b && x <= a : x >= a && x <= b;
}

function inOpen(x: number, a: number, b: number): boolean {
  return a > b ? x > b && x < a : x > a && x < b;
}

/**
 * Finds p in [low, high] where the decreasing function f(p) meets target, by the
 * guarded bisection NIST uses for the compression (§6.3.4) and prediction
 * (§6.3.7–6.3.10) estimates. `fallback` is returned when an invariant breaks.
 */
export function bisectDecreasing(f: (p: number) => number, target: number, low: number, high: number, fallback: number): number {
  let lbound = low;
  let hbound = high;
  let lvalue = Infinity;
  let hvalue = -Infinity;
  let p = (lbound + hbound) / 2;
  let pVal = f(p);
  for (let j = 0; j < ITERMAX; j++) {
    if (relEpsilonEqual(pVal, target)) break;
    if (target < pVal) {
      lbound = p;
      lvalue = pVal;
    } else {
      hbound = p;
      hvalue = pVal;
    }
    if (lbound >= hbound) {
      p = Math.min(Math.max(lbound, hbound), high);
      break;
    }
    if (!(inClosed(lbound, low, high) && inClosed(hbound, low, high))) {
      p = fallback;
      break;
    }
    if (!inClosed(target, lvalue, hvalue)) {
      p = fallback;
      break;
    }
    const lastP = p;
    p = (lbound + hbound) / 2;
    if (!inOpen(p, lbound, hbound) || lastP === p) {
      p = hbound;
      break;
    }
    pVal = f(p);
    if (!inClosed(pVal, lvalue, hvalue)) {
      p = hbound;
      break;
    }
  }
  return p;
}

/** Kahan-compensated running sum. */
export class KahanSum {
  sum = 0;
  #compensation = 0;

  add(value: number): void {
    const y = value - this.#compensation;
    const t = this.sum + y;
    this.#compensation = t - this.sum - y;
    this.sum = t;
  }
}
