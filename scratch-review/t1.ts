import { Result } from "../packages/core/node_modules/effect/dist/index.js"
import { validateUserSettingsUpdate, readUserSettings, toLabelValue, toDnsLabel, parseQuantity, quantityToInteger, applyToPod, emptyMergedProfile, mergeContributions, resolveProfile, combineDocuments, decodeConfigDocument, parseYamlDocuments } from "../packages/core/src/index.ts"

// 1. env entry unknown key
const r = validateUserSettingsUpdate("s", { env: [{ name: "A", value: "b", extra: 1 }] }, { ui: {}, sizes: [] })
console.log("1:", Result.isFailure(r) ? JSON.stringify(r.failure.message) + " problems=" + r.failure.problems.length : "ok")
const r2 = validateUserSettingsUpdate("s", { gpu: 1, foo: 2 }, { ui: {}, sizes: [] })
console.log("1b:", Result.isFailure(r2) ? JSON.stringify(r2.failure.message) : "ok")
// 2. gpu uncapped
const rs = readUserSettings("s", { gpu: 1000 }, { user: "u", ui: { gpuConfig: { enabled: true } } })
console.log("2:", JSON.stringify(rs))
const rs2 = readUserSettings("s", { gpu: 1000 }, { user: "u", ui: { gpuConfig: { enabled: true, type: "dropdown" } } })
console.log("2b:", JSON.stringify(rs2))
// 3. names
for (const u of ["", "a", "A", "x".repeat(1000), "a--b", "ä", "-", "_a_", "a\nb"]) console.log("3:", JSON.stringify(u.slice(0,20)), toLabelValue(u), toDnsLabel(u))
