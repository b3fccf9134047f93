import { decodeWith } from "@jsp/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { AdmissionReview, isAdmissionReview, readAdmissionReview } from "../src/admission.ts"
import { examplePod, reviewOf } from "./fixture.ts"

const decode = decodeWith(AdmissionReview)
const schemaAccepts = (body: unknown) => decode("AdmissionReview", body, { unknownKeys: "ignore" })._tag === "Success"

// A valid review with one field changed: removed, or given a value of some type (maybe its own),
// so that every field's check is met by each kind of wrong value.
const anyJson = fc.oneof(fc.constantFrom("", "admission.k8s.io/v1", "AdmissionReview", "Pod"), fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }))
const paths = [
  ["apiVersion"], ["kind"], ["request"], ["request", "uid"], ["request", "kind"], ["request", "kind", "group"], ["request", "kind", "version"],
  ["request", "kind", "kind"], ["request", "operation"], ["request", "namespace"], ["request", "name"], ["request", "dryRun"], ["request", "object"], ["extra"]
]
const changed = (path: ReadonlyArray<string>, value: unknown): unknown => {
  const review: unknown = structuredClone(reviewOf(examplePod()))
  let parent = review
  for (const key of path.slice(0, -1)) parent = typeof parent === "object" && parent !== null ? Reflect.get(parent, key) : undefined
  const last = path.at(-1) ?? ""
  if (typeof parent === "object" && parent !== null) {
    if (value === undefined) Reflect.deleteProperty(parent, last)
    else Reflect.set(parent, last, value)
  }
  return review
}
const nearReview = fc.tuple(fc.constantFrom(...paths), fc.option(anyJson, { nil: undefined })).map(([path, value]) => changed(path, value))

describe("reading an AdmissionReview", () => {
  it("the hot path's check accepts exactly what the Schema accepts", () => {
    fc.assert(fc.property(nearReview, (body) => {
      expect(isAdmissionReview(body)).toBe(schemaAccepts(body))
    }), { numRuns: 1_000 })
  })

  it("also for values that are not objects at all", () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => {
      expect(isAdmissionReview(body)).toBe(schemaAccepts(body))
    }))
  })

  it("both accept a KubeSpawner pod's review", () => {
    const review = reviewOf(examplePod())
    expect(isAdmissionReview(review)).toBe(true)
    expect(schemaAccepts(review)).toBe(true)
  })

  it("a review it refuses is explained by the Schema, naming the field", () => {
    const read = readAdmissionReview({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u", kind: { group: "", version: "v1", kind: "Pod" }, operation: 3 } })
    expect(read._tag).toBe("Failure")
    if (read._tag === "Failure") expect(read.failure.message).toMatch(/operation/u)
  })
})
