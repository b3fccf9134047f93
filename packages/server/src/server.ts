import type { ConfigSource, ImageCatalog, ServiceGateway, SpawnOptions, UserSettingsStore } from "@jsp/core"
import { Cause, Effect, type Scope } from "effect"
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http"
import { createServer, type Server } from "node:https"
import { type AdmissionRequest, admissionResponse, readAdmissionReview } from "./admission.ts"
import { admit, type WebhookSettings } from "./admit.ts"
import * as api from "./api.ts"
import { type ApiAccess, refusal } from "./auth.ts"
import { HttpProblem, parseJsonBody, readBody } from "./http.ts"
import { makeMetrics, type ServerMetrics } from "./metrics.ts"
import { readiness } from "./readiness.ts"
import { countReloads } from "./reloads.ts"
import { json, problem, type Reply } from "./reply.ts"
import { matchRoute, methods, openRoutes, readOnlyRoutes, type RouteName } from "./routes.ts"
import { runNow } from "./run-now.ts"
import { readTls, type TlsFiles, watchTls } from "./tls.ts"

/** What the server's use cases need: built once at start-up, shared by every request. */
export type ServerRequirements = ConfigSource | UserSettingsStore | ImageCatalog | ServiceGateway

/** How `jsp serve` serves. */
export interface ServeOptions {
  readonly host: string
  readonly port: number
  readonly tls: TlsFiles
  /** How often the certificate and key are checked for a change (default 10 s). */
  readonly tlsReloadMs?: number
  readonly access: ApiAccess
  readonly webhook: WebhookSettings
  /** How long the source may be stale while the server stays ready (default: core's, 60 s). */
  readonly staleBoundMs?: number
  /** How often the source's status is looked at to count configuration reloads (default 1 s). */
  readonly reloadCheckMs?: number
  /** How long a stop waits for requests in flight before it closes their connections (default 10 s). */
  readonly drainMs?: number
}

/** A server that is listening. */
export interface RunningServer {
  readonly host: string
  readonly port: number
  readonly metrics: ServerMetrics
  /** Requests answered so far (every route): how busy it has been, e.g. to tell when it is idle. */
  readonly answered: () => number
}

// A body goes out as a Buffer: written with the headers by writev. As a string, Node joins it to
// the headers and the TLS socket encodes it on a slower path (~30 µs more per answer, profiled).
// `headers` is the caller's own object: the length is added to it rather than to a copy.
const send = (response: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer) => {
  if (body.length > 0) headers["content-length"] = body.length
  response.writeHead(status, headers)
  response.end(body)
}

const write = (response: ServerResponse, reply: Reply) => {
  if ("json" in reply) send(response, reply.status, { ...reply.headers, "content-type": "application/json", "cache-control": "no-store" }, Buffer.from(JSON.stringify(reply.json)))
  else if ("html" in reply) send(response, reply.status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }, Buffer.from(reply.html))
  else send(response, reply.status, reply.text === "" ? {} : { "content-type": reply.type ?? "text/plain; charset=utf-8" }, Buffer.from(reply.text))
}

// Latency as logs carry it: milliseconds with two decimals.
const elapsedMs = (started: number): number => Math.round((performance.now() - started) * 100) / 100

// `?user=` names a user; an empty value names none.
const userParameter = (url: URL): string | undefined => {
  const user = url.searchParams.get("user")
  return user === null || user === "" ? undefined : user
}

const problemOf = (error: unknown): Reply =>
  error instanceof HttpProblem ? problem(error.status, error.message) : problem(500, "internal error (see jsp's log)")

/**
 * Starts `jsp serve`'s HTTPS server in the scope: the webhook (`POST /mutate`), probes, metrics,
 * the spawner API and the form on one port. Closing the scope stops accepting, lets requests in
 * flight finish (up to `drainMs`), then returns.
 */
export const startServer = (options: ServeOptions): Effect.Effect<RunningServer, Error, ServerRequirements | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<ServerRequirements>()
    const run = <A>(effect: Effect.Effect<A, never, ServerRequirements>) => Effect.runPromiseWith(context)(effect)
    // Loggers write synchronously: a log line needs no fiber kept alive and no promise (the bench measures it).
    const log = (level: "Info" | "Warn" | "Debug", message: string, fields: Record<string, unknown>) =>
      Effect.runSyncWith(context)(Effect.logWithLevel(level)(message).pipe(Effect.annotateLogs(fields)))
    const metrics = makeMetrics()
    const spawn: SpawnOptions = options.webhook.spawn
    let answered = 0

    const now = runNow(context)

    // The admission, its count and its log line in one run of the runtime: the webhook's hot path.
    const answerAdmission = (admission: AdmissionRequest, started: number) =>
      Effect.flatMap(admit(admission, options.webhook, metrics), (admitted) => {
        metrics.admissions.inc({ outcome: admitted.outcome })
        const patch = "patch" in admitted.decision ? admitted.decision.patch : undefined
        return Effect.as(
          Effect.logInfo("admission").pipe(Effect.annotateLogs({
            uid: admission.uid,
            ...(admitted.user === undefined ? {} : { user: admitted.user }),
            ...(admission.namespace === undefined ? {} : { namespace: admission.namespace }),
            latencyMs: elapsedMs(started),
            outcome: admitted.outcome,
            ...(patch === undefined ? {} : { patchOperations: patch.length })
          })),
          json(200, admissionResponse(admission.uid, admitted.decision))
        )
      })

    const mutate = async (request: IncomingMessage, started: number): Promise<Reply> => {
      let uid: string | undefined
      try {
        const review = readAdmissionReview(parseJsonBody(await readBody(request)))
        if (review._tag === "Failure") throw new HttpProblem(400, review.failure.message)
        const { request: admission } = review.success
        uid = admission.uid
        const answered = now(answerAdmission(admission, started))
        const exit = answered instanceof Promise ? await answered : answered
        if (exit._tag === "Success") return exit.value
        throw Cause.squash(exit.cause)
      } catch (error) {
        if (error instanceof HttpProblem || uid === undefined) {
          metrics.admissions.inc({ outcome: "bad-request" })
          log("Info", "admission", {
            ...(uid === undefined ? {} : { uid }),
            latencyMs: elapsedMs(started),
            outcome: "bad-request",
            status: error instanceof HttpProblem ? error.status : 500
          })
          throw error
        }
        // Not the pod's fault, and not a configuration error (those are decided in admit): a defect.
        log("Warn", "admission failed", { uid, outcome: options.webhook.failOpen ? "failed-open" : "denied", error: String(error) })
        metrics.admissions.inc({ outcome: options.webhook.failOpen ? "failed-open" : "denied" })
        return json(200, admissionResponse(uid, options.webhook.failOpen
          ? { allowed: true, warnings: [{ source: "jsp", message: "internal error; profiles not applied" }] }
          : { allowed: false, code: 500, message: "jsp: internal error", warnings: [] }))
      }
    }

    const body = async (request: IncomingMessage): Promise<unknown> => {
      const text = await readBody(request)
      return text.trim() === "" ? undefined : parseJsonBody(text)
    }

    const answer = async (route: RouteName, user: string | undefined, request: IncomingMessage, url: URL, started: number): Promise<Reply> => {
      switch (route) {
        case "mutate":
          return mutate(request, started)
        case "healthz":
          return { status: 200, text: "ok\n" }
        case "readyz":
          return run(readiness(options.staleBoundMs))
        case "metrics":
          return { status: 200, text: await metrics.registry.metrics(), type: metrics.registry.contentType }
        case "images":
          return run(api.images(userParameter(url)))
        case "sizes":
          return run(api.sizes)
        case "ui":
          return run(api.ui)
        case "form":
          return run(api.form(userParameter(url)))
        case "apply":
          return run(api.applyPod(await body(request), spawn))
        case "settings":
          if (user === undefined) return problem(404, "no user")
          return request.method === "PUT" ? run(api.putSettings(user, await body(request))) : run(api.getSettings(user))
        case "services":
          if (user === undefined) return problem(404, "no user")
          return request.method === "DELETE" ? run(api.servicesDownFor(user)) : run(api.servicesUpFor(user, await body(request)))
      }
    }

    const handle = (request: IncomingMessage, response: ServerResponse) => {
      const started = performance.now()
      const url = new URL(request.url ?? "/", "https://jsp.invalid")
      const matched = matchRoute(url.pathname)
      const reply = async (): Promise<Reply> => {
        if (matched === undefined) return problem(404, `no such path: ${url.pathname}`)
        const allowed = methods[matched.route]
        if (!allowed.includes(request.method ?? "")) {
          return { status: 405, json: { error: `${request.method ?? ""} ${url.pathname}: use ${allowed.join(" or ")}` }, headers: { allow: allowed.join(", ") } }
        }
        if (!openRoutes.has(matched.route)) {
          const refused = refusal(request, options.access, readOnlyRoutes.has(matched.route))
          if (refused !== undefined) return problem(refused.status, refused.message)
        }
        return answer(matched.route, matched.user, request, url, started)
      }
      reply().catch((error: unknown) => {
        // A defect: the caller gets a 500 that points at the log, and the log says what it was.
        if (!(error instanceof HttpProblem)) log("Warn", "request failed", { method: request.method, path: url.pathname, error: String(error) })
        return problemOf(error)
      }).then((result) => {
        write(response, result)
        answered++
        const route = matched?.route ?? "unknown"
        metrics.latency.observe({ route }, (performance.now() - started) / 1000)
        if (matched === undefined || !openRoutes.has(matched.route)) {
          metrics.apiRequests.inc({ route, status: String(result.status) })
          log(result.status >= 500 ? "Warn" : "Info", "request", {
            method: request.method,
            path: url.pathname,
            status: result.status,
            latencyMs: elapsedMs(started)
          })
        }
      }).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)))
      })
    }

    const secureContext = () => ({ ...readTls(options.tls), minVersion: "TLSv1.2" as const })
    const server: Server = createServer(secureContext(), handle)
    // A slow client may not hold a connection open for ever, nor a request half-sent.
    server.headersTimeout = 10_000
    server.requestTimeout = 30_000
    server.keepAliveTimeout = 65_000

    yield* Effect.callback<void, Error>((resume) => {
      server.once("error", (error) => resume(Effect.fail(error)))
      server.listen(options.port, options.host, () => resume(Effect.void))
    })
    const stopTls = watchTls(options.tls, options.tlsReloadMs ?? 10_000, () => {
      try {
        server.setSecureContext(secureContext())
        log("Info", "certificate reloaded", { cert: options.tls.cert })
      } catch (error) {
        log("Warn", "certificate not reloaded; the previous one is kept", { cert: options.tls.cert, error: error instanceof Error ? error.message : String(error) })
      }
    })
    yield* Effect.forkScoped(countReloads(metrics, options.reloadCheckMs ?? 1_000))
    yield* Effect.addFinalizer(() => Effect.callback<void>((resume) => {
      stopTls()
      const drain = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000)
      drain.unref()
      server.close(() => {
        clearTimeout(drain)
        resume(Effect.void)
      })
      server.closeIdleConnections()
    }))
    const address = server.address()
    if (address === null || typeof address === "string") return yield* Effect.die(new Error(`unexpected server address ${String(address)}`))
    yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({ host: address.address, port: address.port }))
    return { host: address.address, port: address.port, metrics, answered: () => answered } satisfies RunningServer
  })
