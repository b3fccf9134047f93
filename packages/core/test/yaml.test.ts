import { Result } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { maxAliasExpansion, maxNestingDepth, parseYamlDocuments } from "../src/index.ts"

const parse = (text: string) => parseYamlDocuments("f.yaml", text)
const failure = (text: string): string => {
  const result = parse(text)
  return Result.isFailure(result) ? result.failure.message : `parsed: ${JSON.stringify(result.success).slice(0, 100)}`
}
const success = (text: string): ReadonlyArray<unknown> => {
  const result = parse(text)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

// Nine nested anchors, each naming the previous one nine times: 9^9 (387 million) values when expanded.
const billionLaughs = [
  "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
  ..."bcdefghi".split("").map((name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(", ")}]`)
].join("\n")

describe("YAML aliases", () => {
  it("ordinary reuse of an anchor is accepted, however often (the yaml package refuses more than 100)", () => {
    const text = `common: &env { name: A, value: "1" }\nprofiles:\n${"  - env: [*env]\n".repeat(1000)}`
    const [document] = success(text) as ReadonlyArray<{ profiles: ReadonlyArray<unknown> }>
    expect(document?.profiles).toHaveLength(1000)
    expect(document?.profiles[999]).toEqual({ env: [{ name: "A", value: "1" }] })
  })

  it("many aliases cost time in proportion to their number (yaml's own resolution is quadratic: minutes for these)", { timeout: 20_000 }, () => {
    const [document] = success(`x: &x v\nlist:\n${"  - *x\n".repeat(100_000)}`) as ReadonlyArray<{ list: ReadonlyArray<string> }>
    expect(document?.list).toHaveLength(100_000)
    expect(document?.list.every((v) => v === "v")).toBe(true)
  })

  it("an expansion bomb (\"billion laughs\") is refused, naming the line of the alias that crosses the bound", () => {
    expect(failure(billionLaughs)).toMatch(
      /^f\.yaml: line 7, column \d+: alias \*f makes the document's aliases expand to more than 1,000,000 values; refused as an alias expansion bomb \("billion laughs"\)$/u)
  })

  it("the bound is on the expanded size: just under it is accepted, just over it refused", () => {
    const block = `[${Array(999).fill("x").join(", ")}]` // 1,000 values with the sequence itself
    const uses = (n: number) => `b: &b ${block}\nuses:\n${"  - *b\n".repeat(n)}`
    expect(maxAliasExpansion).toBe(1_000_000)
    expect(success(uses(1000))).toHaveLength(1)
    expect(failure(uses(1001))).toMatch(/^f\.yaml: line 1003, column 5: alias \*b makes the document's aliases expand/u)
  })

  it("an alias without an anchor before it, or inside the collection it names, is an error with its line", () => {
    expect(failure("a: 1\nb: *nowhere\n")).toBe("f.yaml: line 2, column 4: alias *nowhere has no anchor &nowhere before it")
    expect(failure("a: 1\nb: &loop [x, *loop]\n")).toBe("f.yaml: line 2, column 14: alias *loop is inside the collection it names (a cycle)")
  })

  it("merge keys of YAML 1.1 still merge through aliases", () => {
    expect(success("%YAML 1.1\n---\nbase: &base { cpu: 1, memory: 2Gi }\nsmall:\n  <<: *base\n  cpu: 2\n")).toEqual([
      { base: { cpu: 1, memory: "2Gi" }, small: { cpu: 2, memory: "2Gi" } }
    ])
  })
})

describe("YAML nesting", () => {
  const flow = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`

  it(`nesting up to ${maxNestingDepth} levels is accepted; one more is an error with its line`, () => {
    expect(success(flow(maxNestingDepth))).toHaveLength(1)
    expect(failure(flow(maxNestingDepth + 1))).toBe("f.yaml: line 1, column 257: collections nested more than 256 levels deep")
    // Inside a mapping, the 256th bracket is the 257th collection.
    expect(failure(`a: 1\nb: ${flow(maxNestingDepth)}\n`)).toBe("f.yaml: line 2, column 259: collections nested more than 256 levels deep")
  })

  it("deep nesting of every kind ends in that error, not a stack overflow, and without reading on", () => {
    const cases = [
      "[".repeat(8_000_000), // unclosed, 8 MB
      "{a: ".repeat(200_000),
      `${"- ".repeat(100_000)}x\n`,
      Array.from({ length: 400 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")
    ]
    for (const text of cases) {
      expect(failure(text)).toMatch(/^f\.yaml: line \d+, column \d+: collections nested more than 256 levels deep$/u)
    }
  })

  it("nesting reached through an alias counts too", () => {
    const text = `deep: &d ${flow(200)}\nuse: ${"[".repeat(100)}*d${"]".repeat(100)}\n`
    expect(failure(text)).toBe("f.yaml: line 2, column 106: alias *d expands to collections nested more than 256 levels deep")
  })
})

describe("YAML mapping keys", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("a collection used as a mapping key is an error with its line, not a key such as `{ a: 1 }`", () => {
    expect(failure("env:\n  ? [a]\n  : 1\n")).toBe("f.yaml: line 2, column 5: a sequence is used as a mapping key; keys must be scalars (strings, numbers)")
    expect(failure("env:\n  {a: 1}: x\n")).toBe("f.yaml: line 2, column 3: a mapping is used as a mapping key; keys must be scalars (strings, numbers)")
    expect(failure("k: &k [a]\nenv:\n  *k : x\n")).toBe("f.yaml: line 3, column 3: a sequence is used as a mapping key; keys must be scalars (strings, numbers)")
  })

  it("parsing never writes a process warning (yaml emits one for keys it has to stringify)", () => {
    const warn = vi.spyOn(process, "emitWarning")
    expect(success("? !!binary aGVsbG8=\n: 1\n")).toEqual([{ hello: 1 }])
    failure("? [a]\n: 1\n")
    failure("{a: 1}: x\n")
    expect(warn).not.toHaveBeenCalled()
  })
})
