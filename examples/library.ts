// jsp as a library: apply the bundled example configuration to a pod, as a server would.
import { readFileSync } from "node:fs"
import { NodeServices } from "@effect/platform-node"
import { applySpawn, explainResolution } from "@jsp/core"
import { FileConfigSource } from "@jsp/file-adapter"
import { Layer, ManagedRuntime } from "effect"
import { parse } from "yaml"

// Build the source once and keep it: it reads and decodes the configuration once, and every
// spawn after that reuses it (and what the configuration caches). A layer provided per call would
// read, decode and index the files again on every pod.
const runtime = ManagedRuntime.make(FileConfigSource({ paths: ["examples/config"] }).pipe(Layer.provide(NodeServices.layer)))

// The pod as KubeSpawner builds it: here from a file; a webhook takes it from the AdmissionReview.
const podJson: unknown = parse(readFileSync("examples/pod.yaml", "utf8"))

const { pod, resolution } = await runtime.runPromise(applySpawn(podJson, { size: "Medium" }))
for (const line of explainResolution(resolution)) console.error(`${line.field} = ${line.display} (from ${line.from})`)
console.log(JSON.stringify(pod, null, 2))

await runtime.dispose()
