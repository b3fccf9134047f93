// `pnpm bench`: resolve + apply per pod, on the seed configuration and on a generated one with
// 2,000 profiles and 50,000 listed users. Targets (README): ≤ 10 µs per pod on the seed
// configuration; at 2,000 profiles within 5× of that.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Result } from "effect"
import { Bench } from "tinybench"
import {
  applyToPod,
  readPod,
  combineDocuments,
  type Configuration,
  decodeConfigDocument,
  type JsonObject,
  parseYamlDocuments,
  resolveProfile
} from "../src/index.ts"
import { generatedDocument, listedUsers, profileCount } from "./generated-config.ts"

const configurationOf = (source: string, values: ReadonlyArray<unknown>): Configuration =>
  combineDocuments(values.map((value) => {
    const decoded = decodeConfigDocument(source, value)
    if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
    return decoded.success.value
  }))

const seedText = readFileSync(fileURLToPath(new URL("../test/testdata/seed-profiles.yaml", import.meta.url)), "utf8")
const seedValues = parseYamlDocuments("seed", seedText)
if (Result.isFailure(seedValues)) throw new Error(seedValues.failure.message)
const seed = configurationOf("seed", seedValues.success)

const generated = configurationOf("generated", [
  generatedDocument(seedValues.success.flatMap((v) => typeof v === "object" && v !== null && "sizes" in v ? [v.sizes] : []).flat()),
  ...seedValues.success
])

const pod = (user: string): JsonObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `jupyter-${user}`, labels: { app: "jupyterhub", component: "singleuser-server" }, annotations: { "hub.jupyter.org/username": user } },
  spec: {
    containers: [{
      name: "notebook",
      image: "image-registry.openshift-image-registry.svc:5000/opendatahub/s2i-thoth-notebook:3.6",
      env: [{ name: "JUPYTERHUB_API_TOKEN", value: "t" }, { name: "JUPYTERHUB_USER", value: user }],
      ports: [{ containerPort: 8888, name: "notebook-port" }],
      resources: { requests: { memory: "256Mi" } },
      volumeMounts: [{ name: "data", mountPath: "/opt/app-root/src" }]
    }],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: `jupyterhub-nb-${user}-pvc` } }],
    securityContext: { fsGroup: 100 }
  }
})

const resolveOnce = (configuration: Configuration, user: string, size?: string) => {
  const resolved = resolveProfile(configuration, undefined, {
    user,
    groups: ["group-10"],
    image: "image-registry.openshift-image-registry.svc:5000/opendatahub/s2i-thoth-notebook:3.6",
    ...(size === undefined ? {} : { size: { name: size, origin: "request" as const } })
  })
  if (Result.isFailure(resolved)) throw resolved.failure
  return resolved.success.merged
}

const spawnOnce = (configuration: Configuration, user: string, input: JsonObject, size?: string) => {
  // As applySpawn does: the pod is read, then the resolution applied to it.
  const applied = Result.flatMap(readPod(input), (view) => applyToPod(view, resolveOnce(configuration, user, size), { user }))
  if (Result.isFailure(applied)) throw applied.failure
  return applied.success
}

const seedUsers = ["vpavlin", "fpokorny", "acorvin", "someone-else"]
const seedPods = seedUsers.map(pod)
// Many distinct users, so that most spawns merge a combination of profiles not merged before.
const generatedUsers = Array.from({ length: 20_000 }, (_, i) => `user-${(i * 7919) % listedUsers}`)
const generatedPods = generatedUsers.map(pod)
let i = 0

const bench = new Bench({ time: 2_000, warmup: true, warmupTime: 500 })
bench
  .add("seed configuration: resolve + apply", () => {
    const n = i++ % seedUsers.length
    spawnOnce(seed, seedUsers[n] ?? "", seedPods[n] ?? {}, n === 0 ? "Small" : undefined)
  })
  .add(`${profileCount} profiles, ${listedUsers} listed users: resolve + apply`, () => {
    const n = i++ % generatedUsers.length
    spawnOnce(generated, generatedUsers[n] ?? "", generatedPods[n] ?? {}, n % 3 === 0 ? "Medium" : undefined)
  })
await bench.run()

const micros = bench.tasks.map((task) => {
  const result = task.result
  if (result === undefined || !("latency" in result)) throw new Error(`${task.name} did not run`)
  return { name: task.name, mean: result.latency.mean * 1000, p99: (result.latency.p99 ?? result.latency.mean) * 1000, samples: result.latency.samplesCount }
})
const [seedResult, generatedResult] = micros
if (seedResult === undefined || generatedResult === undefined) throw new Error("missing results")
for (const r of micros) console.log(`${r.name.padEnd(62)} ${r.mean.toFixed(2).padStart(8)} µs/pod (p99 ${r.p99.toFixed(2)} µs, ${r.samples} samples)`)
const matched = (configuration: Configuration, users: ReadonlyArray<string>) =>
  (users.reduce((n, user) => n + resolveOnce(configuration, user).applied.length, 0) / users.length).toFixed(1)
console.log(`profiles merged per spawn: seed ${matched(seed, seedUsers)}, generated ${matched(generated, generatedUsers)} ` +
  `(a user's team profile, one group profile, the seed's global profiles)`)
const ratio = generatedResult.mean / seedResult.mean
console.log(`seed target ≤ 10 µs/pod: ${seedResult.mean <= 10 ? "met" : "MISSED"}`)
console.log(`${profileCount}-profile cost within 5× of seed: ${ratio.toFixed(2)}× — ${ratio <= 5 ? "met" : "MISSED"}`)
