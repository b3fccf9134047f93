import * as NodeServices from "@effect/platform-node/NodeServices"
import { type ImageStream, isJsonObject, type JsonObject, type SourceUnavailable } from "@jsp/core"
import { MemoryImageCatalog, MemoryServiceGateway, MemoryUserSettingsStore } from "@jsp/core/testing"
import { FileConfigSource } from "@jsp/file-adapter"
import { Effect, Exit, Layer, Logger, Scope } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { request as httpsRequest } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { generate } from "selfsigned"
import { parseAllDocuments } from "yaml"
import { jsonLinesLogger, type RunningServer, type ServeOptions, startServer } from "../src/index.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
export const examples = (path: string) => `${root}examples/${path}`

/** A self-signed certificate for localhost and 127.0.0.1. */
export const certificate = () => generate([{ name: "commonName", value: "localhost" }], {
  keySize: 2048,
  algorithm: "sha256",
  extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }]
})

/** Certificate and key files of a fresh self-signed certificate, in a directory of their own, and the CA to trust. */
export interface TlsFixture {
  readonly dir: string
  readonly cert: string
  readonly key: string
  readonly ca: string
}

/** Writes a fresh certificate and key to a new temporary directory. */
export const tlsFixture = async (prefix = "jsp-tls-"): Promise<TlsFixture> => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const pems = await certificate()
  const files = { dir, cert: join(dir, "tls.crt"), key: join(dir, "tls.key"), ca: pems.cert }
  writeFileSync(files.cert, pems.cert)
  writeFileSync(files.key, pems.private)
  return files
}

/** The example's ImageStreams. */
export const exampleImageStreams = (): ReadonlyArray<ImageStream> =>
  parseAllDocuments(readFileSync(examples("cluster/imagestreams.yaml"), "utf8")).flatMap((d) => {
    const value: unknown = d.toJS()
    if (!isJsonObject(value)) return []
    const items = value["items"]
    return Array.isArray(items) ? items.filter(isJsonObject) : [value]
  })

/** The example pod, as a fresh object. */
export const examplePod = (): JsonObject => {
  const value: unknown = parseAllDocuments(readFileSync(examples("pod.yaml"), "utf8"))[0]?.toJS()
  if (!isJsonObject(value)) throw new Error("examples/pod.yaml is not an object")
  return value
}

/** The ports' test layers over the example configuration files. */
export const exampleLayers = (paths: ReadonlyArray<string> = [examples("config")]) => {
  const store = MemoryUserSettingsStore()
  const gateway = MemoryServiceGateway()
  const source = FileConfigSource({ paths }).pipe(Layer.provide(NodeServices.layer))
  const layer = Layer.mergeAll(store.layer, MemoryImageCatalog(exampleImageStreams()), gateway.layer, source)
  return { layer, store, gateway }
}

/** A server started on a free loopback port, with what it logged, and its stop. */
export interface TestServer extends RunningServer {
  readonly ca: string
  readonly logs: Array<JsonObject>
  readonly close: () => Promise<void>
}

type Requirements = Layer.Success<ReturnType<typeof exampleLayers>["layer"]>

/** Starts the server in a scope of its own; `close` closes it. */
export const startTestServer = async (
  layer: Layer.Layer<Requirements, SourceUnavailable>,
  options: Partial<ServeOptions> & { readonly tlsFiles: { readonly cert: string; readonly key: string; readonly ca: string } }
): Promise<TestServer> => {
  const logs: Array<JsonObject> = []
  const logger = jsonLinesLogger((line) => {
    const parsed: unknown = JSON.parse(line)
    if (isJsonObject(parsed)) logs.push(parsed)
  })
  const scope = Effect.runSync(Scope.make())
  // The layers live as long as the server (a watching source polls in their scope), not just its start.
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope).pipe(Effect.provide(Logger.layer([logger]))))
  const running = await Effect.runPromise(startServer({
    host: "127.0.0.1",
    port: 0,
    tls: { cert: options.tlsFiles.cert, key: options.tlsFiles.key },
    access: undefined,
    webhook: { failOpen: true, spawn: {} },
    ...options
  }).pipe(Effect.provide(context), Scope.provide(scope), Effect.provide(Logger.layer([logger]))))
  return { ...running, ca: options.tlsFiles.ca, logs, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** An HTTPS answer. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly text: string
  readonly json: unknown
}

/** One HTTPS request to the server, trusting its certificate. */
export const call = (server: { readonly port: number; readonly ca: string }, method: string, path: string, options: {
  readonly body?: unknown
  readonly raw?: string | Buffer
  readonly headers?: Readonly<Record<string, string>>
} = {}): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
    const req = httpsRequest({
      host: "127.0.0.1",
      port: server.port,
      method,
      path,
      ca: server.ca,
      servername: "localhost",
      agent: false,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }), ...options.headers }
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

/** An AdmissionReview for a pod, as the API server sends it. */
export const reviewOf = (pod: unknown, request: Partial<{ uid: string; operation: string; dryRun: boolean; kind: string; namespace: string }> = {}) => ({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: {
    uid: request.uid ?? "0df28fbd-5f5f-4a0f-b1a6-6a0e9b1f2e41",
    kind: { group: "", version: "v1", kind: request.kind ?? "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    name: "jupyter-vpavlin",
    namespace: request.namespace ?? "odh",
    operation: request.operation ?? "CREATE",
    userInfo: { username: "system:serviceaccount:odh:jupyterhub-hub" },
    object: pod,
    oldObject: null,
    dryRun: request.dryRun ?? false
  }
})
