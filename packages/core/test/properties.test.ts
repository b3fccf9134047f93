import { Result, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  appliedProfilesAnnotation,
  combineDocuments,
  decodeConfigDocument,
  InvalidDocument,
  isJsonObject,
  isDnsLabel,
  isValidLabelValue,
  type Json,
  type JsonObject,
  parseYamlDocuments,
  mergeContributions,
  profileMatches,
  selectProfiles,
  readUserSettings,
  resolveProfile,
  toDnsLabel,
  toLabelValue,
  userLabel
} from "../src/index.ts"
import { configDocument, pod, userName } from "./arbitraries.ts"
import { Pod } from "./pod-schema.ts"
import { applyRaw, spawnOf } from "./helpers.ts"

const runs = { numRuns: 300 }

const configurationOf = (document: unknown) => {
  const decoded = decodeConfigDocument("generated", document)
  if (Result.isFailure(decoded)) throw new Error(`generator produced an invalid document: ${decoded.failure.message}`)
  return combineDocuments([decoded.success.value])
}

/** Resolves and applies; undefined when the combination is rejected (e.g. a request above a limit). */
const transform = (document: unknown, input: JsonObject, user: string, size?: string): JsonObject | undefined => {
  const resolved = resolveProfile(configurationOf(document), undefined, spawnOf({ user, image: "s2i-minimal-notebook:1", size }), "warn")
  if (Result.isFailure(resolved)) throw resolved.failure
  const applied = applyRaw(input, resolved.success.merged, { user, gpuMode: "selinux" })
  return Result.isSuccess(applied) ? applied.success : undefined
}

const get = (value: Json | undefined, key: string): Json | undefined => isJsonObject(value) ? value[key] : undefined
const objectAt = (value: Json | undefined, key: string): JsonObject => {
  const found = get(value, key)
  return isJsonObject(found) ? found : {}
}
const containersOf = (p: Json | undefined): ReadonlyArray<Json> => {
  const containers = get(get(p, "spec"), "containers")
  return Array.isArray(containers) ? containers : []
}

// Removes every field SPEC 5 allows the transform to touch; what is left must be unchanged.
const withoutTouchedFields = (p: JsonObject): Json => {
  const metadata = objectAt(p, "metadata")
  const labels = { ...objectAt(metadata, "labels") }
  delete labels[userLabel]
  const annotations = { ...objectAt(metadata, "annotations") }
  delete annotations[appliedProfilesAnnotation]
  const spec = { ...objectAt(p, "spec") }
  for (const key of ["volumes", "tolerations", "affinity"]) delete spec[key]
  const containers = containersOf(p).map((c) => {
    const rest = { ...(isJsonObject(c) ? c : {}) }
    for (const key of ["env", "resources", "volumeMounts", "securityContext"]) delete rest[key]
    return rest
  })
  return { ...p, metadata: { ...metadata, labels, annotations }, spec: { ...spec, containers } }
}

describe("properties", () => {
  it("decoding arbitrary input never throws: a document, or a typed error naming at least one problem", () => {
    const seen = { decoded: 0, rejected: 0 }
    fc.assert(fc.property(fc.anything(), fc.jsonValue(), (anything, json) => {
      for (const input of [anything, json, { profiles: [json] }, { sizes: json, ui: anything }]) {
        const result = decodeConfigDocument("x", input)
        if (Result.isSuccess(result)) {
          seen.decoded++
          expect(result.success.value.source).toBe("x")
        } else {
          seen.rejected++
          expect(result.failure).toBeInstanceOf(InvalidDocument)
          expect(result.failure.problems.length).toBeGreaterThan(0)
        }
        // Users' settings never fail: whatever is wrong is a warning naming the document.
        const settings = readUserSettings("x", input, { user: "u", ui: {} })
        expect(settings.value.source).toBe("x")
        for (const w of settings.warnings) expect(w.source).toBe("x")
      }
    }), runs)
    // Both outcomes were exercised, or the property says little.
    expect(seen.decoded).toBeGreaterThan(0)
    expect(seen.rejected).toBeGreaterThan(0)
    let parsed = 0
    fc.assert(fc.property(fc.string(), (text) => {
      const result = parseYamlDocuments("x", text)
      if (Result.isSuccess(result)) parsed++
      else expect(result.failure.problems.every((p) => p.message !== "")).toBe(true)
    }), runs)
    expect(parsed).toBeGreaterThan(0)
  })

  it("the transform never throws on arbitrary pods", () => {
    fc.assert(fc.property(fc.anything(), fc.jsonValue(), (anything, json) => {
      const merged = resolveProfile(combineDocuments([]), undefined, { user: "u", groups: [], image: "i" })
      if (Result.isFailure(merged)) throw merged.failure
      for (const input of [anything, json, { spec: json }, { spec: { containers: [json] } }]) {
        const result = applyRaw(input, merged.success.merged, { user: "u" })
        if (Result.isSuccess(result)) expect(isJsonObject(result.success) && isJsonObject(result.success["spec"])).toBe(true)
        else expect(result.failure.message).toMatch(/^pod: |^container /u)
      }
    }), runs)
  })

  it("apply is idempotent", () => {
    let applied = 0
    fc.assert(fc.property(configDocument, pod, fc.constantFrom(undefined, "S", "M"), (document, input, size) => {
      const once = transform(document, input, "u1", size)
      if (once === undefined) return
      applied++
      expect(transform(document, once, "u1", size)).toEqual(once)
    }), runs)
    // Most generated spawns must get through, or the property says little.
    expect(applied).toBeGreaterThan(runs.numRuns / 2)
  })

  it("no container ends with duplicate env names", () => {
    let applied = 0
    fc.assert(fc.property(configDocument, pod, (document, input) => {
      const out = transform(document, input, "u1")
      if (out === undefined) return
      applied++
      for (const c of containersOf(out)) {
        const env = get(c, "env")
        const names = Array.isArray(env) ? env.map((e: Json) => get(e, "name")) : []
        expect(new Set(names).size).toBe(names.length)
      }
    }), runs)
    expect(applied).toBeGreaterThan(runs.numRuns / 2)
  })

  it("nothing outside the fields of SPEC 5 changes", () => {
    let applied = 0
    fc.assert(fc.property(configDocument, pod, userName, (document, input, user) => {
      const out = transform(document, input, user)
      if (out === undefined) return
      applied++
      expect(withoutTouchedFields(out)).toEqual(withoutTouchedFields(input))
    }), runs)
    expect(applied).toBeGreaterThan(runs.numRuns / 2)
  })

  it("the output decodes as a Pod", () => {
    let applied = 0
    const isPod = Schema.is(Pod)
    fc.assert(fc.property(configDocument, pod, userName, (document, input, user) => {
      const out = transform(document, input, user)
      if (out === undefined) return
      applied++
      expect(isPod(out)).toBe(true)
    }), runs)
    expect(applied).toBeGreaterThan(runs.numRuns / 2)
  })

  it("escaped labels and names are always valid, and different names stay different", () => {
    fc.assert(fc.property(userName, userName, (a, b) => {
      expect(isValidLabelValue(toLabelValue(a))).toBe(true)
      expect(isDnsLabel(toDnsLabel(a))).toBe(true)
      expect(isDnsLabel(toDnsLabel(a, 40))).toBe(true)

      if (a !== b) {
        expect(toLabelValue(a)).not.toBe(toLabelValue(b))
        expect(toDnsLabel(a)).not.toBe(toDnsLabel(b))
      }
    }), { numRuns: 1000 })
  })
})

describe("selection index", () => {
  it("selects exactly the profiles that match, in document order, across documents", () => {
    const profile = fc.record({
      name: fc.constantFrom("p1", "p2", "p3"),
      users: fc.array(fc.constantFrom("u1", "u2", "*", "u3"), { maxLength: 3 }),
      groups: fc.array(fc.constantFrom("g1", "g2"), { maxLength: 2 }),
      images: fc.array(fc.constantFrom("img", "img:1", "other", "*:2", "i*"), { maxLength: 2 })
    }, { requiredKeys: ["name"] })
    const spawn = fc.record({
      user: fc.constantFrom("u1", "u2", "u3", "u4"),
      groups: fc.array(fc.constantFrom("g1", "g2", "g3"), { maxLength: 2 }),
      image: fc.constantFrom("img:1", "img:2", "reg:5000/ns/img:1", "other:1")
    })
    const documentOf = (profiles: ReadonlyArray<unknown>, i: number) => {
      const decoded = decodeConfigDocument(`generated-${i}`, profiles.length === 0 && i % 2 === 0 ? {} : { profiles })
      if (Result.isFailure(decoded)) throw new Error(`generator produced an invalid document: ${decoded.failure.message}`)
      return decoded.success.value
    }
    fc.assert(fc.property(fc.array(fc.array(profile, { maxLength: 6 }), { minLength: 1, maxLength: 3 }), spawn, (documents, s) => {
      const sourced = documents.map(documentOf)
      const configuration = combineDocuments(sourced)
      const expected = configuration.profiles.filter(({ profile: p }) => profileMatches(p, s))
      expect(selectProfiles(configuration, s)).toEqual(expected)
      // Combined again with the last document edited, the others' indexes are reused: still exact.
      const edited = combineDocuments([...sourced.slice(0, -1), documentOf([{ name: "p1" }], sourced.length)])
      expect(selectProfiles(edited, s)).toEqual(edited.profiles.filter(({ profile: p }) => profileMatches(p, s)))
    }), { numRuns: 500 })
  })
})

describe("merge cache", () => {
  it("resolving through the cache equals merging the selected profiles directly, past the cache's size", () => {
    const profiles = Array.from({ length: 6_000 }, (_, i) => ({ name: `p${i}`, users: [`u${i}`], env: [{ name: "WHO", value: String(i) }] }))
    const configuration = configurationOf({ profiles: [{ name: "all", env: [{ name: "ALL", value: "1" }] }, ...profiles] })
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 6_000; i += round === 0 ? 1 : 7) {
        const spawn = { user: `u${i}`, groups: [], image: "img:1" }
        const resolved = resolveProfile(configuration, undefined, spawn)
        if (Result.isFailure(resolved)) throw resolved.failure
        const direct = mergeContributions(selectProfiles(configuration, spawn).map(({ name, profile }) => ({ name, body: profile })))
        expect(resolved.success.merged).toEqual(direct)
      }
    }
  })
})
