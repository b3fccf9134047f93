import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { apiVersionOf, defaultResourceTypes, type ResourceType } from "./resources.ts"
import { parseLabelSelector, type Requirement } from "./selectors.ts"
import * as Status from "./status.ts"
import { eventFor, type KubeObject, nameOf, Store, uidOf, type WatchEvent, type Watcher } from "./store.ts"
import { validateMetadata } from "./validation.ts"

/** One request the fake answered. */
export interface LoggedRequest {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly verb: string
  readonly status: number
  /** The API group (`""` for the core group) and resource of a served kind; absent otherwise (discovery, unknown paths). */
  readonly apiGroup?: string
  readonly resource?: string
}

/**
 * A fault to inject: the next `count` matching requests fail with `status`. A 409 answers as the
 * real server does with `reason` (default `Conflict`: the resourceVersion sent is stale), naming
 * the object of the request.
 */
export interface Failure {
  readonly status: 500 | 429 | 503 | 409
  readonly reason?: "Conflict" | "AlreadyExists"
  readonly count: number
  readonly verb?: string
  readonly plural?: string
}

/** Options of the fake API server. */
export interface FakeApiServerOptions {
  /** The bearer token every request must carry. */
  readonly token?: string
  readonly resourceTypes?: ReadonlyArray<ResourceType>
  /** How long after a delete garbage collection runs (real GC is asynchronous too). */
  readonly gcDelayMs?: number
  /** Interval of BOOKMARK events for watches that allow them. */
  readonly bookmarkIntervalMs?: number
}

interface Route {
  readonly type: ResourceType
  readonly namespace: string
  readonly name?: string
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
  res.end(text)
}

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  const text = Buffer.concat(chunks).toString("utf8")
  return text === "" ? undefined : JSON.parse(text)
}

const isObject = (v: unknown): v is KubeObject => typeof v === "object" && v !== null && !Array.isArray(v)
const metadataOf = (o: KubeObject): KubeObject => isObject(o["metadata"]) ? o["metadata"] : {}

// A Secret's stringData is merged into data (base64) on write, as the real server does.
const normaliseSecret = (type: ResourceType, body: KubeObject): KubeObject => {
  if (type.kind !== "Secret" || !isObject(body["stringData"])) return body
  const data = { ...(isObject(body["data"]) ? body["data"] : {}) }
  for (const [k, v] of Object.entries(body["stringData"])) data[k] = Buffer.from(String(v), "utf8").toString("base64")
  const { stringData: _ignored, ...rest } = body
  return { ...rest, data }
}

// The Status body of an injected failure, as the real server would word it.
const injectedStatus = (failure: Failure, route: Route): Status.StatusBody => {
  if (failure.status === 429) return Status.tooManyRequests()
  if (failure.status !== 409) return Status.internalError("injected failure")
  return (failure.reason === "AlreadyExists" ? Status.alreadyExists : Status.conflict)(route.type.plural, route.type.group, route.name ?? "")
}

/**
 * A Kubernetes API server double over real HTTP on 127.0.0.1, for what jsp uses: discovery,
 * namespaced objects (get, list with label selectors, create, replace, delete, watch with
 * resourceVersion, bookmarks and 410 Gone), Status bodies, garbage collection by owner uid,
 * request counting and fault injection.
 */
export class FakeApiServer {
  readonly store = new Store()
  readonly requests: Array<LoggedRequest> = []
  /** Added to every response, to test timeouts and slow servers. */
  latencyMs = 0
  /**
   * A server that accepts connections and never answers: `"headers"` sends nothing back,
   * `"body"` sends the status line, headers and the start of a body, then nothing. Requests are
   * logged with status 0 (`"headers"`) or 200 (`"body"`); `stop()` closes them.
   */
  hang: false | "headers" | "body" = false
  /** Every watch is ended cleanly after this long, as a proxy with a request timeout would. */
  watchLifetimeMs: number | undefined = undefined
  private readonly hangs: Array<{ verb: string | undefined; left: number }> = []
  private isDown = false
  private readonly hung = new Set<ServerResponse>()
  private readonly failures: Array<{ spec: Failure; left: number }> = []
  private readonly forbidden: Array<{ verb: string; plural: string }> = []
  private readonly streams = new Set<ServerResponse>()
  private readonly types: ReadonlyArray<ResourceType>
  private readonly server: Server
  readonly url: string
  private readonly options: FakeApiServerOptions

  private constructor(server: Server, url: string, options: FakeApiServerOptions) {
    this.server = server
    this.url = url
    this.options = options
    this.types = options.resourceTypes ?? defaultResourceTypes
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined
    const server = createServer((req, res) => handler(req, res))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as AddressInfo
    const fake = new FakeApiServer(server, `http://127.0.0.1:${port}`, options)
    server.on("connection", (socket) => {
      if (fake.isDown) socket.destroy()
    })
    handler = (req, res) => {
      fake.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) json(res, 500, Status.internalError(String(e)))
        else res.end()
      })
    }
    return fake
  }

  /** A kubeconfig (YAML) pointing at this server, for `KubeConfig.loadFromString` or a file. */
  kubeconfig(namespace = "default", token = this.options.token ?? "test-token"): string {
    return [
      "apiVersion: v1", "kind: Config", "current-context: fake",
      "clusters:", `- name: fake`, "  cluster:", `    server: ${this.url}`,
      "users:", "- name: fake", "  user:", `    token: ${token}`,
      "contexts:", "- name: fake", "  context:", "    cluster: fake", "    user: fake", `    namespace: ${namespace}`, ""
    ].join("\n")
  }

  /** Connections open to this server now (of any client), to check that a client closed its own. */
  connections(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((error, count) => error === null ? resolve(count) : reject(error)))
  }

  /** Stops accepting requests, closes every watch and every request left hanging. */
  async stop(): Promise<void> {
    this.dropWatches()
    for (const res of this.hung) res.destroy()
    this.hung.clear()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** The next `count` requests matching the verb (and resource) fail with this status. */
  failNext(failure: Failure): void {
    this.failures.push({ spec: failure, left: failure.count })
  }

  /** From now on, this verb on this resource is forbidden (RBAC), until `allow`. */
  forbid(verb: string, plural: string): void {
    this.forbidden.push({ verb, plural })
  }

  allow(): void {
    this.forbidden.length = 0
  }

  /** The next `count` requests of this verb (any, if none) are accepted and never answered (as `hang = "headers"`). */
  hangNext(count: number, verb?: string): void {
    this.hangs.push({ verb, left: count })
  }

  /** Forgets the failures `failNext` injected and not yet used (a window of errors ends). */
  clearFailures(): void {
    this.failures.length = 0
  }

  /**
   * An outage: while down, every connection is closed as soon as it is made, and going down
   * breaks the open ones (watches included) abruptly, as a crashed API server behind a load balancer.
   */
  get down(): boolean {
    return this.isDown
  }

  set down(down: boolean) {
    this.isDown = down
    if (!down) return
    this.streams.clear()
    this.hung.clear()
    this.server.closeAllConnections()
  }

  /** Ends every open watch with a 410 Gone ERROR event inside the stream, forgetting the change log (as etcd compaction). */
  expireWatches(): void {
    const requested = this.store.resourceVersion
    this.store.compact()
    const event = { type: "ERROR", object: Status.expired(requested, this.store.oldestResourceVersion) }
    for (const res of this.streams) res.end(`${JSON.stringify(event)}\n`)
    this.streams.clear()
  }

  /** Closes every open watch stream, as a restarting API server or a network blip would. */
  dropWatches(): void {
    for (const res of this.streams) res.end()
    this.streams.clear()
  }

  /** Requests answered so far, optionally only those of one verb (`get`, `list`, `watch`, `create`…). */
  count(verb?: string): number {
    return verb === undefined ? this.requests.length : this.requests.filter((r) => r.verb === verb).length
  }

  /** Stores an object directly (as if another client created it), bypassing HTTP. */
  put(type: ResourceType, namespace: string, object: KubeObject): KubeObject {
    const existing = this.store.get(type, namespace, nameOf(object))
    return existing === undefined
      ? this.store.create(type, namespace, normaliseSecret(type, object))
      : this.store.replace(type, namespace, existing, normaliseSecret(type, object))
  }

  /** Deletes an object directly, then garbage-collects its dependents. */
  remove(type: ResourceType, namespace: string, name: string): void {
    const existing = this.store.get(type, namespace, name)
    if (existing === undefined) return
    this.store.remove(type, namespace, existing)
    this.scheduleGc()
  }

  private scheduleGc(): void {
    setTimeout(() => this.store.collectGarbage(this.types), this.options.gcDelayMs ?? 20)
  }

  private route(path: string): Route | "discovery" | undefined {
    const core = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/u.exec(path)
    const grouped = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/u.exec(path)
    const [group, version, namespace, plural, name] = core !== null
      ? ["", "v1", core[1], core[2], core[3]]
      : grouped !== null ? [grouped[1], grouped[2], grouped[3], grouped[4], grouped[5]] : []
    if (namespace === undefined || plural === undefined) return /^\/(api|apis)(\/|$)/u.test(path) ? "discovery" : undefined
    const type = this.types.find((t) => t.group === group && t.version === version && t.plural === plural)
    return type === undefined ? undefined : { type, namespace, ...(name === undefined ? {} : { name: decodeURIComponent(name) }) }
  }

  private verbOf(method: string, route: Route | "discovery" | undefined, query: URLSearchParams): string {
    if (route === undefined || route === "discovery") return "discovery"
    switch (method) {
      case "GET": return route.name !== undefined ? "get" : query.get("watch") === "true" || query.get("watch") === "1" ? "watch" : "list"
      case "POST": return "create"
      case "PUT": return "update"
      case "DELETE": return "delete"
      case "PATCH": return "patch"
      default: return method.toLowerCase()
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url)
    const route = this.route(url.pathname)
    const verb = this.verbOf(req.method ?? "GET", route, url.searchParams)
    const resource = route === undefined || route === "discovery" ? {} : { apiGroup: route.type.group, resource: route.type.plural }
    const log = (status: number) => this.requests.push({ method: req.method ?? "GET", path: url.pathname, query: url.search, verb, status, ...resource })
    if (this.hang !== false) return this.hold(res, log, this.hang)
    const held = this.hangs.find((h) => h.left > 0 && (h.verb === undefined || h.verb === verb))
    if (held !== undefined) {
      held.left--
      return this.hold(res, log, "headers")
    }
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs))
    const token = this.options.token
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      log(401)
      return json(res, 401, Status.unauthorized())
    }
    if (route !== "discovery" && route !== undefined) {
      const failure = this.failures.find((f) => f.left > 0 && (f.spec.verb === undefined || f.spec.verb === verb) && (f.spec.plural === undefined || f.spec.plural === route.type.plural))
      if (failure !== undefined) {
        failure.left--
        log(failure.spec.status)
        return json(res, failure.spec.status, injectedStatus(failure.spec, route))
      }
      if (this.forbidden.some((f) => f.verb === verb && f.plural === route.type.plural)) {
        log(403)
        return json(res, 403, Status.forbidden(verb, route.type.plural, route.type.group, route.namespace, "system:serviceaccount:test:jsp"))
      }
    }
    if (route === "discovery") {
      const body = this.discovery(url.pathname)
      log(body === undefined ? 404 : 200)
      return body === undefined ? json(res, 404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", code: 404 }) : json(res, 200, body)
    }
    if (route === undefined) {
      log(404)
      return json(res, 404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", code: 404 })
    }
    if (verb === "watch") {
      log(200)
      return this.watch(route, url.searchParams, res)
    }
    const [status, body] = await this.respond(verb, route, url.searchParams, req)
    log(status)
    json(res, status, body)
  }

  // Never answers (or never finishes answering) until the client gives up or the fake stops.
  private hold(res: ServerResponse, log: (status: number) => void, hang: "headers" | "body"): void {
    this.hung.add(res)
    res.on("close", () => this.hung.delete(res))
    if (hang === "body") {
      log(200)
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": 1_000_000 })
      res.write("{\"kind\":\"List\",\"items\":[")
    } else {
      log(0)
    }
  }

  private discovery(path: string): unknown {
    if (path === "/api") return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] }
    if (path === "/apis") {
      const groups = [...new Set(this.types.filter((t) => t.group !== "").map((t) => t.group))]
      return {
        kind: "APIGroupList", apiVersion: "v1",
        groups: groups.map((name) => {
          const versions = [...new Set(this.types.filter((t) => t.group === name).map((t) => t.version))].map((v) => ({ groupVersion: `${name}/${v}`, version: v }))
          return { name, versions, preferredVersion: versions[0] }
        })
      }
    }
    const m = /^\/api\/(v1)$|^\/apis\/([^/]+)\/([^/]+)$/u.exec(path)
    if (m === null) return undefined
    const group = m[1] !== undefined ? "" : m[2] ?? ""
    const version = m[1] ?? m[3] ?? ""
    const types = this.types.filter((t) => t.group === group && t.version === version)
    if (types.length === 0) return undefined
    return {
      kind: "APIResourceList", apiVersion: "v1", groupVersion: group === "" ? version : `${group}/${version}`,
      resources: types.map((t) => ({
        name: t.plural, singularName: t.kind.toLowerCase(), namespaced: true, kind: t.kind,
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]
      }))
    }
  }

  private selector(query: URLSearchParams): ReadonlyArray<Requirement> | string {
    return parseLabelSelector(query.get("labelSelector") ?? "")
  }

  private listBody(type: ResourceType, items: ReadonlyArray<KubeObject>): unknown {
    return {
      kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion: this.store.resourceVersion },
      items: type.typedList ? items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) : items
    }
  }

  private async respond(verb: string, route: Route, query: URLSearchParams, req: IncomingMessage): Promise<[number, unknown]> {
    const { type, namespace, name } = route
    const existing = name === undefined ? undefined : this.store.get(type, namespace, name)
    switch (verb) {
      case "list": {
        const selector = this.selector(query)
        if (typeof selector === "string") return [400, Status.badRequest(selector)]
        return [200, this.listBody(type, this.store.list(type, namespace, selector))]
      }
      case "get":
        return existing === undefined ? [404, Status.notFound(type.plural, type.group, name ?? "")] : [200, existing]
      case "create": {
        const body = await readBody(req)
        if (!isObject(body)) return [400, Status.badRequest("the body of the request was in an unknown format")]
        const metadata = metadataOf(body)
        if (metadata["resourceVersion"] !== undefined && metadata["resourceVersion"] !== "") {
          return [500, Status.internalError("resourceVersion should not be set on objects to be created")]
        }
        if (metadata["namespace"] !== undefined && metadata["namespace"] !== namespace) {
          return [400, Status.badRequest("the namespace of the provided object does not match the namespace sent on the request")]
        }
        const problems = validateMetadata(metadata)
        if (problems.length > 0) return [422, Status.invalid(type.kind, type.group, String(metadata["name"] ?? ""), problems)]
        if (this.store.get(type, namespace, String(metadata["name"])) !== undefined) {
          return [409, Status.alreadyExists(type.plural, type.group, String(metadata["name"]))]
        }
        const dryRun = query.get("dryRun") === "All"
        return [201, this.store.create(type, namespace, normaliseSecret(type, body), !dryRun)]
      }
      case "update": {
        const body = await readBody(req)
        if (!isObject(body)) return [400, Status.badRequest("the body of the request was in an unknown format")]
        if (existing === undefined) return [404, Status.notFound(type.plural, type.group, name ?? "")]
        const metadata = metadataOf(body)
        if (name === undefined) return [405, Status.methodNotAllowed("PUT")]
        if (metadata["name"] !== name) {
          return [400, Status.badRequest(`the name of the object (${String(metadata["name"])}) does not match the name on the URL (${name})`)]
        }
        const rv = metadata["resourceVersion"]
        if (rv === undefined || rv === "") {
          if (type.custom) {
            return [422, Status.invalid(type.plural, type.group, name, [{ field: "metadata.resourceVersion", message: "Invalid value: 0x0: must be specified for an update" }])]
          }
        } else if (rv !== metadataOf(existing)["resourceVersion"]) {
          return [409, Status.conflict(type.plural, type.group, name)]
        }
        const problems = validateMetadata(metadata)
        if (problems.length > 0) return [422, Status.invalid(type.kind, type.group, name, problems)]
        return [200, this.store.replace(type, namespace, existing, normaliseSecret(type, body))]
      }
      case "delete": {
        if (existing === undefined) return [404, Status.notFound(type.plural, type.group, name ?? "")]
        this.store.remove(type, namespace, existing)
        this.scheduleGc()
        return [200, Status.deleted(type.plural, type.group, name ?? "", uidOf(existing))]
      }
      default:
        return [405, Status.methodNotAllowed(verb)]
    }
  }

  private watch(route: Route, query: URLSearchParams, res: ServerResponse): void {
    const selector = this.selector(query)
    if (typeof selector === "string") return json(res, 400, Status.badRequest(selector))
    // The client gave up while the request waited (latency): there is no one to watch for.
    if (res.socket === null || res.socket.destroyed) return
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" })
    res.flushHeaders()
    const send = (event: WatchEvent) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`)
    }
    const requested = query.get("resourceVersion") ?? ""
    const from = Number(requested)
    if (requested !== "" && requested !== "0" && (!Number.isFinite(from) || from < this.store.oldestResourceVersion)) {
      send({ type: "ERROR", object: Status.expired(requested, this.store.oldestResourceVersion) })
      res.end()
      return
    }
    if (requested === "" || requested === "0") {
      for (const object of this.store.list(route.type, route.namespace, selector)) send({ type: "ADDED", object })
    } else {
      for (const change of this.store.changesSince(route.type, route.namespace, from)) {
        const event = eventFor(change, selector)
        if (event !== undefined) send(event)
      }
    }
    const watcher: Watcher = { type: route.type, namespace: route.namespace, selector, send }
    this.store.watchers.add(watcher)
    this.streams.add(res)
    const timers: Array<NodeJS.Timeout> = []
    if (query.get("allowWatchBookmarks") === "true") {
      timers.push(setInterval(() => send({
        type: "BOOKMARK",
        object: { kind: route.type.kind, apiVersion: apiVersionOf(route.type), metadata: { resourceVersion: this.store.resourceVersion } }
      }), this.options.bookmarkIntervalMs ?? 1_000))
    }
    const timeout = Number(query.get("timeoutSeconds") ?? "")
    if (Number.isFinite(timeout) && timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000))
    if (this.watchLifetimeMs !== undefined) timers.push(setTimeout(() => res.end(), this.watchLifetimeMs))
    const close = () => {
      for (const t of timers) clearInterval(t)
      this.store.watchers.delete(watcher)
      this.streams.delete(res)
    }
    res.on("close", close)
    res.on("finish", close)
  }
}
