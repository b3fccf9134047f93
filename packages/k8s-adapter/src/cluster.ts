import { existsSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
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
  /** Seconds a single API request may take. */
  readonly requestTimeoutSeconds?: number | undefined
}

/** A configured client: the kubeconfig, the namespace jsp works in, and the server for messages. */
export interface Cluster {
  readonly kubeConfig: KubeConfig
  readonly namespace: string
  readonly server: string
  /** How long one API request may take before it counts as failed. */
  readonly requestTimeoutMs: number
}

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

const defaultKubeconfigExists = (): boolean => {
  const fromEnv = process.env["KUBECONFIG"]?.split(":").find((p) => p !== "")
  return fromEnv !== undefined ? existsSync(fromEnv) : existsSync(join(homedir(), ".kube", "config"))
}

const inClusterNamespace = (): string | undefined => {
  try {
    return readFileSync(join(serviceAccountDir, "namespace"), "utf8").trim() || undefined
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
      if (!existsSync(options.kubeconfig)) return fail(`kubeconfig ${options.kubeconfig}: no such file`, "not-found")
      kubeConfig.loadFromFile(options.kubeconfig)
    } else if (defaultKubeconfigExists()) {
      kubeConfig.loadFromDefault()
    } else if (existsSync(join(serviceAccountDir, "token"))) {
      kubeConfig.loadFromCluster()
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
    ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace
    ?? inClusterNamespace()
    ?? "default"
  return Result.succeed({ kubeConfig, namespace, server: current.server, requestTimeoutMs: (options.requestTimeoutSeconds ?? 10) * 1000 })
}
