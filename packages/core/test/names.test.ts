import { describe, expect, it } from "vitest"
import { toDnsLabel, toLabelValue, userSecretName, userSettingsConfigMapName } from "../src/index.ts"

describe("names and labels (SPEC 5, 10)", () => {
  it("keeps names that are already valid", () => {
    expect(toLabelValue("vpavlin")).toBe("vpavlin")
    expect(toLabelValue("Ada.Lovelace_1")).toBe("Ada.Lovelace_1")
    expect(toDnsLabel("vpavlin")).toBe("vpavlin")
    expect(userSettingsConfigMapName("vpavlin")).toBe("jupyterhub-singleuser-profile-vpavlin")
  })

  it("cleans others and adds a hash of the raw name", () => {
    expect(toDnsLabel("Ada.Lovelace@example.com")).toMatch(/^ada-lovelace-example-com---[0-9a-f]{8}$/u)
    expect(toLabelValue("a b")).toMatch(/^a-b---[0-9a-f]{8}$/u)
    expect(toDnsLabel("x".repeat(1000))).toHaveLength(63)
  })

  it("never collides with a name kept as it is, even when nothing of the name survives cleaning", () => {
    for (const raw of ["ä", "张伟", "---", "@"]) {
      const escaped = toDnsLabel(raw)
      expect(escaped).toMatch(/^x---[0-9a-f]{8}$/u)
      // The escaped form, given as a user name, is not kept as it is: it contains "--".
      expect(toDnsLabel(escaped)).not.toBe(escaped)
      expect(toLabelValue(toLabelValue(raw))).not.toBe(toLabelValue(raw))
      expect(userSecretName(escaped)).not.toBe(userSecretName(raw))
    }
  })
})
