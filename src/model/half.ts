/**
 * IEEE 754 half precision (binary16) for the embedding tables: 2 bytes per weight instead of 4, with
 * 11 significant bits (about 3 decimal digits) and a range of ±65504, ample for embeddings that start
 * within ±0.1 and are clipped on every update. Reads go through a 65,536-entry table (256 KiB, in cache).
 */

/**
 * `HALF[h]` is the value of the half-precision bit pattern `h`. Hot loops read it through a local
 * (`const decode = HALF`): reading the imported binding inside a 64-wide dot product was 7–10× slower
 * than the float32 loop, through a local 1.2–1.4× (measured on this machine's Node 20).
 */
export const HALF = new Float32Array(65536);
for (let h = 0; h < 65536; h += 1) {
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  const magnitude = exponent === 0 ? mantissa * 2 ** -24 : exponent === 31 ? (mantissa === 0 ? Number.POSITIVE_INFINITY : Number.NaN) : (1 + mantissa / 1024) * 2 ** (exponent - 15);
  HALF[h] = h & 0x8000 ? -magnitude : magnitude;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const INFINITY = 0x7c00;

/**
 * The half-precision bits of `x`. `carry` in [0, 1) decides the rounding of the 13 bits of a float32
 * mantissa a half drops: undefined rounds to nearest (ties to even); a uniform random number rounds
 * stochastically, so that many small updates add up on average instead of each rounding away.
 * Values beyond the half range become ±Infinity (and fail the model's finiteness checks).
 */
export function toHalf(x: number, carry?: number): number {
  f32[0] = x;
  const bits = u32[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | (abs > 0x7f800000 ? 0x7e00 : INFINITY);
  if (abs < 0x38800000) {
    // Below 2^-14 the half is subnormal: a whole number of 2^-24 steps.
    const steps = Math.abs(f32[0] ?? 0) * 16777216;
    const whole = Math.floor(steps);
    const fraction = steps - whole;
    const up = carry === undefined ? fraction > 0.5 || (fraction === 0.5 && (whole & 1) === 1) : fraction > carry;
    return sign | (whole + (up ? 1 : 0));
  }
  const increment = carry === undefined ? 0x0fff + ((abs >>> 13) & 1) : Math.floor(carry * 0x2000);
  // Adding below the kept bits rounds; a carry out of the mantissa correctly bumps the exponent.
  const half = ((abs + increment) >>> 13) - (112 << 10);
  return sign | Math.min(half, INFINITY);
}

/** The float values of `half[from..from+length)` into `out[at..]`. */
export function decodeHalf(half: Uint16Array, from: number, length: number, out: Float32Array, at = 0): void {
  const decode = HALF;
  for (let i = 0; i < length; i += 1) out[at + i] = decode[half[from + i] ?? 0] ?? 0;
}

/** `length` floats of `table` from `from` into `out[at..]`, decoding a half-precision table. */
export function readRow(table: Uint16Array | Float32Array, from: number, length: number, out: Float32Array, at = 0): void {
  if (table instanceof Float32Array) out.set(table.subarray(from, from + length), at);
  else decodeHalf(table, from, length, out, at);
}

/** `values[0..length)` rounded to nearest into `half[at..]`. */
export function encodeHalf(values: ArrayLike<number>, length: number, half: Uint16Array, at = 0): void {
  for (let i = 0; i < length; i += 1) half[at + i] = toHalf(values[i] ?? 0);
}
