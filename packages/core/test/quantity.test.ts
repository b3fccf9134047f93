import { describe, expect, it } from "vitest"
import { compareQuantities, parseQuantity, quantityFromNumber, quantityToInteger } from "../src/kube/quantity.ts"

const bytes = (q: string): bigint => {
  const value = parseQuantity(q)
  if (value === undefined) throw new Error(`not a quantity: ${q}`)
  return quantityToInteger(value)
}

describe("quantities (SPEC 5: the full Kubernetes grammar)", () => {
  it.each([
    ["1Gi", 1073741824n],
    ["1.5Gi", 1610612736n],
    ["2G", 2000000000n],
    ["500M", 500000000n],
    ["500Mi", 524288000n],
    ["1e9", 1000000000n],
    ["1E3", 1000n],
    ["2.5e3", 2500n],
    ["1Ki", 1024n],
    ["1k", 1000n],
    ["3Ei", 3n * 1024n ** 6n],
    ["123", 123n],
    [".5Ki", 512n],
    ["+1", 1n],
    ["1E", 10n ** 18n],
    ["1Pi", 1024n ** 5n]
  ])("%s is exactly %d bytes", (q, expected) => {
    expect(bytes(q)).toBe(expected)
  })

  it("rounds fractions of a byte up, as Kubernetes does", () => {
    expect(bytes("250m")).toBe(1n)
    expect(bytes("1500m")).toBe(2n)
    expect(bytes("1e-3")).toBe(1n)
  })

  it.each(["", "Gi", "1Gx", "-1", "1.2.3", "1 Gi", "1gi", "0x10", "1e1000", "1Mi "])("rejects %j", (q) => {
    expect(parseQuantity(q)).toBeUndefined()
  })

  it("compares exactly across suffixes", () => {
    const q = (s: string) => parseQuantity(s) ?? (() => { throw new Error(s) })()
    expect(compareQuantities(q("1"), q("1000m"))).toBe(0)
    expect(compareQuantities(q("2Gi"), q("2G"))).toBe(1)
    expect(compareQuantities(q("500m"), q("0.5"))).toBe(0)
    expect(compareQuantities(q("1e3"), q("1k"))).toBe(0)
    expect(compareQuantities(q("999Mi"), q("1Gi"))).toBe(-1)
  })

  it("turns YAML numbers into quantity strings", () => {
    expect(quantityFromNumber(1)).toBe("1")
    expect(quantityFromNumber(0.5)).toBe("500m")
    expect(quantityFromNumber(0.25)).toBe("250m")
    expect(quantityFromNumber(1.1)).toBe("1100m")
    expect(quantityFromNumber(1.0001)).toBe("1.0001")
    expect(quantityFromNumber(2e9)).toBe("2000000000")
  })
})

describe("quantities Kubernetes can count (at most 2^63 - 1 in the base unit)", () => {
  it("refuses what is larger, at any magnitude, without computing it", () => {
    for (const text of ["9223372036854775808", "9223372036854775807001m", "8Ei", "1e19", "1e101", "1e309", "1e999999999", "9.3E", "8589934592Gi"]) {
      expect(parseQuantity(text), text).toBeUndefined()
    }
    for (const text of ["9223372036854775807", "9223372036854775807000m", "7Ei", "9E", "1e18", "1e-1000"]) {
      expect(parseQuantity(text), text).toBeDefined()
    }
    expect(parseQuantity("1e-1001")).toBeUndefined()
  })

  it("compares exactly at every magnitude", () => {
    const value = (text: string) => {
      const v = parseQuantity(text)
      if (v === undefined) throw new Error(text)
      return v
    }
    expect(compareQuantities(value("9223372036854775807"), value("9223372036854775806999m"))).toBe(1)
    expect(compareQuantities(value("1e-30"), value("0.000000000000000000000000000001"))).toBe(0)
    expect(compareQuantities(value("1e-30"), value("1e-29"))).toBe(-1)
    expect(compareQuantities(value("7Ei"), value("8070450532247928832"))).toBe(0)
  })
})
