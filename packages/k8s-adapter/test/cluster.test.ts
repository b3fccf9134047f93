import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs"
import type { OutgoingHttpHeaders } from "node:http"
import type { RequestOptions } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Result } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { loadCluster } from "../src/index.ts"

const saved = {
  KUBECONFIG: process.env["KUBECONFIG"], HOME: process.env["HOME"],
  KUBERNETES_SERVICE_HOST: process.env["KUBERNETES_SERVICE_HOST"], KUBERNETES_SERVICE_PORT: process.env["KUBERNETES_SERVICE_PORT"]
}
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

  it("refuses a kubeconfig that is not a regular file, at once, instead of reading it forever", () => {
    const dir = mkdtempSync(join(tmpdir(), "jsp-kc-"))
    const fifo = join(dir, "fifo")
    // Node cannot make a FIFO itself; mkfifo exits at once.
    execFileSync("mkfifo", [fifo])
    mkdirSync(join(dir, "directory"))
    const started = Date.now()
    const refused = (kubeconfig: string) => {
      const cluster = loadCluster({ kubeconfig })
      return Result.isFailure(cluster) ? cluster.failure : undefined
    }
    expect(refused(fifo)).toMatchObject({ reason: "invalid", message: `cluster: kubeconfig ${fifo}: not a regular file (a FIFO); give the path of a kubeconfig file` })
    expect(refused("/dev/zero")?.message).toBe("cluster: kubeconfig /dev/zero: not a regular file (a character device); give the path of a kubeconfig file")
    expect(refused(join(dir, "directory"))?.message).toMatch(/not a regular file \(a directory\)/u)
    // Through $KUBECONFIG too: the client would read it with no bound.
    process.env["KUBECONFIG"] = fifo
    expect(Result.isFailure(loadCluster()) && loadCluster()).toMatchObject({ failure: { reason: "invalid" } })
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it("refuses a kubeconfig over 1 MiB before reading it", () => {
    const file = kubeconfigFile("http://127.0.0.1:8001")
    truncateSync(file, 2 * 1024 * 1024)
    const cluster = loadCluster({ kubeconfig: file })
    expect(Result.isFailure(cluster) && cluster.failure.message).toBe(`cluster: kubeconfig ${file}: 2097152 bytes, more than a kubeconfig's limit of 1 MiB`)
  })

  it("in a pod: the service account's token, CA and namespace, and the API server the kubelet names", async () => {
    const root = mkdtempSync(join(tmpdir(), "jsp-pod-"))
    const account = join(root, "var/run/secrets/kubernetes.io/serviceaccount")
    mkdirSync(account, { recursive: true })
    writeFileSync(join(account, "token"), "pod-token")
    writeFileSync(join(account, "ca.crt"), "the cluster's CA")
    writeFileSync(join(account, "namespace"), "hub\n")
    process.env["KUBECONFIG"] = join(root, "no-kubeconfig")
    delete process.env["KUBERNETES_SERVICE_HOST"]
    delete process.env["KUBERNETES_SERVICE_PORT"]
    const outside = loadCluster({ inClusterRoot: root })
    if (Result.isSuccess(outside)) throw new Error("expected a failure without the kubelet's variables")
    expect(outside.failure.message).toContain("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
    process.env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1"
    process.env["KUBERNETES_SERVICE_PORT"] = "443"
    const cluster = loadCluster({ inClusterRoot: root })
    if (Result.isFailure(cluster)) throw cluster.failure
    expect(cluster.success.server).toBe("https://10.96.0.1:443")
    expect(cluster.success.namespace).toBe("hub")
    expect(cluster.success.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(false)
    const headers: OutgoingHttpHeaders = {}
    const request: RequestOptions = { headers }
    await cluster.success.kubeConfig.applyToHTTPSOptions(request)
    expect(headers["Authorization"]).toBe("Bearer pod-token")
    expect(String(request.ca)).toBe("the cluster's CA")
    expect(loadCluster({ inClusterRoot: root, namespace: "other" })).toMatchObject({ success: { namespace: "other" } })
  })

  it("a request timeout must be a positive number of seconds", () => {
    const cluster = loadCluster({ server: "http://127.0.0.1:8001", token: "t", requestTimeoutSeconds: 0 })
    expect(Result.isFailure(cluster) && cluster.failure.message).toBe("cluster: the request timeout must be a positive number of seconds, not 0")
    const ok = loadCluster({ server: "http://127.0.0.1:8001", token: "t", requestTimeoutSeconds: 2.5 })
    expect(Result.isSuccess(ok) && ok.success.requestTimeoutMs).toBe(2500)
  })
})
