import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))

it("kube-fake serves the manifests it is given, for jsp --kubeconfig", async () => {
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "kube-fake-")), "config")
  const child = spawn(`${root}node_modules/.bin/node`, [`${root}packages/kube-fake/src/main.ts`, "--namespace", "odh", "--kubeconfig", kubeconfig, `${root}examples/cluster`], { cwd: root })
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("kube-fake: serving") && resolve())
      child.on("exit", () => reject(new Error("kube-fake exited")))
    })
    const kc = new KubeConfig()
    kc.loadFromFile(kubeconfig)
    kc.clusters = kc.clusters.map((c) => ({ ...c, skipTLSVerify: true }))
    const list: unknown = await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: "image.openshift.io", version: "v1", namespace: "odh", plural: "imagestreams" })
    expect(list).toMatchObject({ items: [{ metadata: { name: "s2i-minimal-notebook" } }, { metadata: { name: "s2i-spark-notebook" } }, { metadata: { name: "s2i-thoth-notebook" } }] })
  } finally {
    child.kill("SIGTERM")
  }
})
