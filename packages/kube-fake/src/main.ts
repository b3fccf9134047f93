#!/usr/bin/env node
// Runs the API-server double as a process, loaded with manifests, for trying `jsp --source cluster`
// without a cluster:  kube-fake --namespace odh --kubeconfig /tmp/kubeconfig examples/config
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseAllDocuments } from "yaml"
import { watchPackageManagerChain } from "./launcher-watch.ts"
import { defaultResourceTypes } from "./resources.ts"
import { FakeApiServer } from "./server.ts"
import type { KubeObject } from "./store.ts"

const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name)
  const value = at === -1 ? undefined : args[at + 1]
  if (at !== -1) args.splice(at, 2)
  return value ?? fallback
}
const namespace = option("--namespace", "default")
const kubeconfig = option("--kubeconfig", "kubeconfig.fake.yaml")

const files = args.flatMap((path) => statSync(path).isDirectory()
  ? readdirSync(path).filter((f) => /\.(ya?ml|json)$/u.test(f)).sort().map((f) => join(path, f))
  : [path])
const fake = await FakeApiServer.start({ token: "kube-fake" })
for (const file of files) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object: unknown = document.toJS()
    if (typeof object !== "object" || object === null || Array.isArray(object)) continue
    const items: ReadonlyArray<unknown> = Reflect.get(object, "kind") === "List" ? Reflect.get(object, "items") ?? [] : [object]
    for (const item of items) {
      if (typeof item !== "object" || item === null) continue
      const type = defaultResourceTypes.find((t) => t.kind === Reflect.get(item, "kind"))
      if (type === undefined) console.error(`kube-fake: ${file}: ${String(Reflect.get(item, "kind"))} is not served; skipped`)
      else fake.put(type, namespace, Object.fromEntries(Object.entries(item)) satisfies KubeObject)
    }
  }
}
writeFileSync(kubeconfig, fake.kubeconfig(namespace, "kube-fake"))
const stop = () => void fake.stop().then(() => process.exit(0))
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
// Under `npx pnpm exec kube-fake`, SIGTERM to npx does not reach this process: stop when npx is gone.
// (Before saying it serves: whoever waits for that line may then stop npx.)
watchPackageManagerChain()
console.log(`kube-fake: serving on ${fake.url}, namespace ${namespace}, ${files.length} file(s) loaded; kubeconfig written to ${kubeconfig} (Ctrl+C to stop)`)
