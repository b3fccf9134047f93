import { describe, expect, it } from "vitest"
import { imageEntryMatches, type Profile, profileMatches } from "../src/index.ts"

const full = "image-registry.openshift-image-registry.svc:5000/opendatahub/s2i-thoth-notebook:3.6"

describe("image entries (SPEC 2)", () => {
  it.each([
    ["s2i-thoth-notebook:3.6", "s2i-thoth-notebook:3.6", true],
    ["s2i-thoth-notebook:3.6", full, true],
    [full, full, true],
    ["s2i-thoth-notebook", full, true],
    ["s2i-thoth-notebook", "s2i-thoth-notebook:latest", true],
    ["opendatahub/s2i-thoth-notebook", full, false],
    ["s2i-thoth-notebook:3.7", full, false],
    ["s2i-thoth", full, false],
    ["s2i-thoth-notebook-gpu", full, false],
    ["s2i-*-notebook:3.6", full, true],
    ["s2i-*", full, true],
    ["*:3.6", full, true],
    ["*", full, true],
    ["*spark*", full, false],
    ["image-registry.openshift-image-registry.svc:5000/opendatahub/*", full, true],
    ["s2i-thoth-notebook", "quay.io/org/s2i-thoth-notebook@sha256:abcd", true],
    ["s2i-thoth-notebook@sha256:abcd", "quay.io/org/s2i-thoth-notebook@sha256:abcd", true],
    ["registry:5000/s2i-thoth-notebook", "registry:5000/s2i-thoth-notebook:3.6", true],
    ["s2i.thoth", "s2iXthoth:1", false],
    ["a+b", "a+b:1", true]
  ])("%s vs %s → %s", (entry, image, expected) => {
    expect(imageEntryMatches(entry, image)).toBe(expected)
  })
})

describe("users and groups (SPEC 2)", () => {
  const spawn = { user: "alice", groups: ["data-science"], image: "x:1" }
  const matches = (profile: Profile, s = spawn) => profileMatches(profile, s)

  it("a profile without users or groups matches everyone", () => {
    expect(matches({})).toBe(true)
    expect(matches({ users: [], groups: [] })).toBe(true)
  })
  it("users: exact and case-sensitive, or \"*\"", () => {
    expect(matches({ users: ["alice"] })).toBe(true)
    expect(matches({ users: ["Alice"] })).toBe(false)
    expect(matches({ users: ["bob"] })).toBe(false)
    expect(matches({ users: ["*"] })).toBe(true)
  })
  it("groups: any shared name; no groups known means no group profile", () => {
    expect(matches({ groups: ["data-science"] })).toBe(true)
    expect(matches({ groups: ["admins"] })).toBe(false)
    expect(matches({ groups: ["data-science"] }, { ...spawn, groups: [] })).toBe(false)
  })
  it("users and groups: being listed in either is enough", () => {
    expect(matches({ users: ["bob"], groups: ["data-science"] })).toBe(true)
    expect(matches({ users: ["alice"], groups: ["admins"] })).toBe(true)
    expect(matches({ users: ["bob"], groups: ["admins"] })).toBe(false)
  })
  it("images and users must both hold", () => {
    expect(matches({ users: ["alice"], images: ["y"] })).toBe(false)
    expect(matches({ users: ["alice"], images: ["x"] })).toBe(true)
  })
})
