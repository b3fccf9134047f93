/**
 * Kubernetes resource quantities (`500Mi`, `250m`, `1.5Gi`, `1e9`), parsed exactly.
 * A quantity is a rational number: `numerator / denominator`, both bigint, so `MEM_LIMIT`
 * and request/limit comparisons are exact for every form of the grammar.
 */

/** An exact non-negative rational value of a quantity. */
export interface QuantityValue {
  readonly numerator: bigint
  readonly denominator: bigint
}

/** The Kubernetes quantity grammar (non-negative): number, then a binary/decimal suffix or an exponent. */
export const quantityPattern = /^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$/u

const binary: Record<string, bigint> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n }
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }

/** The largest quantity Kubernetes can count, in its base unit (bytes, cores…): 2^63 − 1. */
export const maxQuantity = 2n ** 63n - 1n

// Precision finer than this is refused before any arithmetic: 10^-huge would exhaust memory, and
// no resource is counted in units that small (Kubernetes itself rounds up to 10^-9).
const minExponent = -1_000

// The same few quantities are parsed on every spawn; the cache is bounded so odd input cannot grow it.
const parsed = new Map<string, QuantityValue | undefined>()
const maxCached = 4096

/** The exact value of a quantity string, or undefined when it is not one Kubernetes can count (grammar, at most 2^63 − 1). */
export const parseQuantity = (text: string): QuantityValue | undefined => {
  if (parsed.has(text)) return parsed.get(text)
  const value = parseUncached(text)
  if (parsed.size >= maxCached) parsed.clear()
  parsed.set(text, value)
  return value
}

const parseUncached = (text: string): QuantityValue | undefined => {
  const match = quantityPattern.exec(text)
  if (match === null) return undefined
  const number = match[1] ?? ""
  const suffix = match[3] ?? ""
  const [whole = "", fraction = ""] = number.split(".")
  let numerator = BigInt(`${whole}${fraction}` || "0")
  let tenPower = -fraction.length
  let denominator = 1n
  if (suffix in binary) {
    numerator *= 1024n ** (binary[suffix] ?? 0n)
  } else if (/^[eE].+/u.test(suffix)) {
    tenPower += Number(suffix.slice(1))
  } else {
    tenPower += decimal[suffix] ?? 0
  }
  if (tenPower < minExponent) return undefined
  // Above 2^63 − 1 whatever the digits: decide from the magnitude before multiplying, so that
  // `1e309` costs nothing.
  if (numerator !== 0n && numerator.toString().length + tenPower > 20) return undefined
  if (tenPower >= 0) numerator *= 10n ** BigInt(tenPower)
  else denominator = 10n ** BigInt(-tenPower)
  if (numerator / denominator > maxQuantity || (numerator / denominator === maxQuantity && numerator % denominator !== 0n)) return undefined
  return { numerator, denominator }
}

/** Compares two quantity values: negative when a < b, 0 when equal, positive when a > b. */
export const compareQuantities = (a: QuantityValue, b: QuantityValue): number => {
  const left = a.numerator * b.denominator
  const right = b.numerator * a.denominator
  return left < right ? -1 : left > right ? 1 : 0
}

/** A quantity in whole units, rounded up as Kubernetes does for byte values (`Value()`). */
export const quantityToInteger = (value: QuantityValue): bigint =>
  (value.numerator + value.denominator - 1n) / value.denominator

/** The string form of a number written as a YAML number (`1` → "1", `0.5` → "500m"). */
export const quantityFromNumber = (n: number): string => {
  if (Number.isInteger(n)) return BigInt(n).toString()
  const milli = n * 1000
  return Number.isInteger(milli) ? `${milli}m` : String(n)
}
