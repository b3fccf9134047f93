import { closeSync, existsSync, openSync, readFileSync, readSync, type Stats, statSync } from "node:fs"
import { homedir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { KubeConfig } from "@kubernetes/client-node"
import { SourceUnavailable, type UnavailableReason } from "@jsp/core"
import { Result } from "effect"

/** How to reach the cluster: a kubeconfig, an explicit server and token, or the pod's service account. */
export interface ClusterOptions {
  /** A kubeconfig file; default `$KUBECONFIG`, then `~/.kube/config`, then in-cluster. */
  readonly kubeconfig?: string | undefined
  /** The namespace; default the context's, then the service account's, then `default`. */
  readonly namespace?: string | undefined
  /** An explicit API server URL (with `token`), instead of a kubeconfig. */
  readonly server?: string | undefined
  readonly token?: string | undefined
  /**
   * Seconds one try of an API request may take, connecting, headers and body together (default
   * 10); the tries of a read together take at most twice that.
   */
  readonly requestTimeoutSeconds?: number | undefined
  /** The filesystem root the pod's service account is mounted under (default `/`; tests give a folder of their own). */
  readonly inClusterRoot?: string | undefined
}

/** A configured client: the kubeconfig, the namespace jsp works in, and the server for messages. */
export interface Cluster {
  readonly kubeConfig: KubeConfig
  readonly namespace: string
  readonly server: string
  /** How long one API request may take before it counts as failed. */
  readonly requestTimeoutMs: number
}

/** A kubeconfig larger than this is refused before it is read (real ones are a few KiB). */
export const maxKubeconfigBytes = 1024 * 1024

const kinds: ReadonlyArray<readonly [string, (s: Stats) => boolean]> = [
  ["a directory", (s) => s.isDirectory()], ["a FIFO", (s) => s.isFIFO()], ["a character device", (s) => s.isCharacterDevice()],
  ["a block device", (s) => s.isBlockDevice()], ["a socket", (s) => s.isSocket()]
]

/**
 * Why a kubeconfig file cannot be read, checked before opening it: opening a FIFO blocks, and a
 * device never ends. Undefined when it is a regular file within the bound.
 */
const kubeconfigProblem = (file: string): readonly [string, UnavailableReason] | undefined => {
  let stats: Stats
  try {
    stats = statSync(file)
  } catch (e) {
    const code = typeof e === "object" && e !== null ? Reflect.get(e, "code") : undefined
    return code === "ENOENT" || code === "ENOTDIR" ? [`kubeconfig ${file}: no such file`, "not-found"]
      : code === "EACCES" ? [`kubeconfig ${file}: permission denied`, "forbidden"]
      : [`kubeconfig ${file}: ${e instanceof Error ? e.message : String(e)}`, "invalid"]
  }
  if (!stats.isFile()) {
    const kind = kinds.find(([, is]) => is(stats))?.[0] ?? "not a regular file"
    return [`kubeconfig ${file}: not a regular file (${kind}); give the path of a kubeconfig file`, "invalid"]
  }
  if (stats.size > maxKubeconfigBytes) return [`kubeconfig ${file}: ${stats.size} bytes, more than a kubeconfig's limit of 1 MiB`, "invalid"]
  return undefined
}

/** Reads a checked kubeconfig, never past the bound (a file may grow after the check). */
const readKubeconfig = (file: string): string | readonly [string, UnavailableReason] => {
  const problem = kubeconfigProblem(file)
  if (problem !== undefined) return problem
  const fd = openSync(file, "r")
  try {
    const buffer = Buffer.alloc(maxKubeconfigBytes + 1)
    let length = 0
    for (let n = -1; n !== 0 && length < buffer.length;) {
      n = readSync(fd, buffer, length, buffer.length - length, null)
      length += n
    }
    if (length > maxKubeconfigBytes) return [`kubeconfig ${file}: more than a kubeconfig's limit of 1 MiB`, "invalid"]
    return buffer.subarray(0, length).toString("utf8")
  } finally {
    closeSync(fd)
  }
}

/** Loads a kubeconfig file as the client's `loadFromFile` does, after the checks. */
const loadKubeconfigFile = (kubeConfig: KubeConfig, file: string): readonly [string, UnavailableReason] | undefined => {
  const text = readKubeconfig(file)
  if (typeof text !== "string") return text
  kubeConfig.loadFromString(text)
  kubeConfig.makePathsAbsolute(dirname(file))
  return undefined
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

const defaultKubeconfigExists = (): boolean => {
  const fromEnv = process.env["KUBECONFIG"]?.split(delimiter).find((p) => p !== "")
  return fromEnv !== undefined ? existsSync(fromEnv) : existsSync(join(homedir(), ".kube", "config"))
}

const inClusterNamespace = (root: string): string | undefined => {
  try {
    return readFileSync(join(root, serviceAccountDir, "namespace"), "utf8").trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * Loads the client configuration. A cluster served over plain `http://` (a local proxy, the test
 * double) is allowed: the client refuses it unless TLS verification is off, which means nothing there.
 */
export const loadCluster = (options: ClusterOptions = {}): Result.Result<Cluster, SourceUnavailable> => {
  const kubeConfig = new KubeConfig()
  const root = options.inClusterRoot ?? ""
  const fail = (detail: string, reason: UnavailableReason = "invalid") => Result.fail(new SourceUnavailable({ source: "cluster", reason, detail }))
  try {
    if (options.server !== undefined) {
      if (options.token === undefined) return fail("an explicit server needs a token")
      kubeConfig.loadFromOptions({
        clusters: [{ name: "jsp", server: options.server, skipTLSVerify: options.server.startsWith("http://") }],
        users: [{ name: "jsp", token: options.token }],
        contexts: [{ name: "jsp", cluster: "jsp", user: "jsp", ...(options.namespace === undefined ? {} : { namespace: options.namespace }) }],
        currentContext: "jsp"
      })
    } else if (options.kubeconfig !== undefined) {
      const problem = loadKubeconfigFile(kubeConfig, options.kubeconfig)
      if (problem !== undefined) return fail(...problem)
    } else if (defaultKubeconfigExists()) {
      // The client reads $KUBECONFIG's files (merged) or ~/.kube/config: each is checked first.
      const files = process.env["KUBECONFIG"]?.split(delimiter).filter((p) => p !== "") ?? []
      for (const file of files.length > 0 ? files : [join(homedir(), ".kube", "config")]) {
        const problem = kubeconfigProblem(file)
        if (problem !== undefined) return fail(...problem)
      }
      kubeConfig.loadFromDefault()
    } else if (existsSync(join(root, serviceAccountDir, "token"))) {
      // The kubelet sets these in every pod; without them the client would call https://undefined.
      const [host, port] = [process.env["KUBERNETES_SERVICE_HOST"], process.env["KUBERNETES_SERVICE_PORT"]]
      if (!host || !port) {
        return fail(`a service account is mounted (${join(root, serviceAccountDir)}), but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; give --kubeconfig`, "not-found")
      }
      // The token is read from its file again every minute: the kubelet rotates it.
      kubeConfig.loadFromCluster(root)
    } else {
      return fail("no Kubernetes configuration: give --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account", "not-found")
    }
  } catch (e) {
    return fail(`cannot load the Kubernetes configuration: ${e instanceof Error ? e.message : String(e)}`)
  }
  const current = kubeConfig.getCurrentCluster()
  if (current === null) return fail("the Kubernetes configuration has no current context with a cluster")
  kubeConfig.clusters = kubeConfig.clusters.map((c) => c.server.startsWith("http://") ? { ...c, skipTLSVerify: true } : c)
  const namespace = options.namespace
    // (In a pod the context's namespace is the service account's file as it is, newline and all.)
    ?? (kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace?.trim() || undefined)
    ?? inClusterNamespace(root)
    ?? "default"
  const timeout = options.requestTimeoutSeconds ?? 10
  if (!Number.isFinite(timeout) || timeout <= 0) return fail(`the request timeout must be a positive number of seconds, not ${timeout}`)
  return Result.succeed({ kubeConfig, namespace, server: current.server, requestTimeoutMs: timeout * 1000 })
}
