import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Result } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { loadCluster } from "../src/index.ts"

const saved = { KUBECONFIG: process.env["KUBECONFIG"], HOME: process.env["HOME"] }
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})

const kubeconfigFile = (server: string, namespace?: string) => {
  const dir = mkdtempSync(join(tmpdir(), "jsp-kc-"))
  const file = join(dir, "config")
  writeFileSync(file, [
    "apiVersion: v1", "kind: Config", "current-context: c",
    "clusters: [{ name: k, cluster: { server: \"" + server + "\" } }]",
    "users: [{ name: u, user: { token: t } }]",
    `contexts: [{ name: c, context: { cluster: k, user: u${namespace === undefined ? "" : `, namespace: ${namespace}`} } }]`, ""
  ].join("\n"))
  return file
}

describe("loading the cluster configuration", () => {
  it("reads a kubeconfig file: server, the context's namespace, plain http allowed", () => {
    const cluster = loadCluster({ kubeconfig: kubeconfigFile("http://127.0.0.1:8001", "odh") })
    if (Result.isFailure(cluster)) throw cluster.failure
    expect(cluster.success.server).toBe("http://127.0.0.1:8001")
    expect(cluster.success.namespace).toBe("odh")
    expect(cluster.success.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true)
  })

  it("--namespace wins over the context's; HTTPS keeps TLS verification", () => {
    const cluster = loadCluster({ kubeconfig: kubeconfigFile("https://api.example:6443", "odh"), namespace: "other" })
    if (Result.isFailure(cluster)) throw cluster.failure
    expect(cluster.success.namespace).toBe("other")
    expect(cluster.success.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(false)
  })

  it("KUBECONFIG is used when no file is given; the namespace defaults to default", () => {
    process.env["KUBECONFIG"] = kubeconfigFile("http://127.0.0.1:1")
    const cluster = loadCluster()
    expect(Result.isSuccess(cluster) && cluster.success.namespace).toBe("default")
  })

  it("explains what is missing when there is no configuration at all", () => {
    process.env["KUBECONFIG"] = ""
    process.env["HOME"] = mkdtempSync(join(tmpdir(), "jsp-home-"))
    const cluster = loadCluster()
    expect(Result.isFailure(cluster) && cluster.failure.message).toMatch(/^cluster: no Kubernetes configuration: give --kubeconfig, set KUBECONFIG/u)
    const missing = loadCluster({ kubeconfig: "/nonexistent/kubeconfig" })
    expect(Result.isFailure(missing) && missing.failure.message).toBe("cluster: kubeconfig /nonexistent/kubeconfig: no such file")
    const noToken = loadCluster({ server: "https://x" })
    expect(Result.isFailure(noToken) && noToken.failure.message).toBe("cluster: an explicit server needs a token")
  })
})
