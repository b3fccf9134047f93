import { ApiException, HttpMethod, type KubeConfig, RequestContext } from "@kubernetes/client-node"
import type { RestartCause } from "@jsp/core"
import { fetch } from "undici"
import { WatchDropped, WatchNotAnswered, WatchSilent } from "./api-errors.ts"

/** One event of a watch stream, as sent on the wire. */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"
  readonly object: Readonly<Record<string, unknown>>
}

/** One watch request: where from, its deadlines, and where its events go. */
export interface WatchRequest {
  /** The collection's path, e.g. `/api/v1/namespaces/odh/configmaps`. */
  readonly path: string
  readonly resourceVersion: string
  /** The API server ends the watch after this (it is resumed); silence well past it means a dead connection. */
  readonly timeoutSeconds: number
  /** The response headers must arrive within this. */
  readonly headerTimeoutMs: number
  /** Stops the request at once. */
  readonly signal: AbortSignal
  /** The server answered 200: the watch is established. */
  readonly onAnswered: () => void
  readonly onEvent: (event: WatchEvent) => void
}

/** How a watch request ended: why, the error to describe (failures), and whether it had been answered. */
export interface WatchEnd {
  readonly cause: RestartCause | "stopped"
  readonly error?: unknown
  readonly answered: boolean
  /** Events it delivered, bookmarks included. */
  readonly events: number
  /** How long it was open after its answer. */
  readonly openMs: number
}

/** A line longer than this is not a watch event jsp can use (a ConfigMap holds at most 1 MiB). */
export const maxWatchLineBytes = 8 * 1024 * 1024
/** Of an error answer, at most this much of the body is read (a Status is small). */
const maxErrorBodyBytes = 64 * 1024

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** A line of the stream: an event, an ERROR's Status (as an ApiException), or why it is not usable. */
const parseLine = (line: string): WatchEvent | ApiException<string> | Error => {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return new Error(`the watch sent a line that is not JSON: ${line.slice(0, 80)}`)
  }
  if (!isRecord(parsed) || !isRecord(parsed["object"])) return new Error(`the watch sent a line that is not a watch event: ${line.slice(0, 80)}`)
  const { type, object } = parsed
  if (type === "ERROR") {
    const code = typeof object["code"] === "number" ? object["code"] : 500
    return new ApiException(code, `watch ERROR event (${code})`, JSON.stringify(object), {})
  }
  if (type === "ADDED" || type === "MODIFIED" || type === "DELETED" || type === "BOOKMARK") return { type, object }
  return new Error(`the watch sent an event of unknown type ${JSON.stringify(type)}`)
}

const readBounded = async (body: ReadableStream<Uint8Array> | null): Promise<string> => {
  if (body === null) return ""
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    length += value.length
    if (length >= maxErrorBodyBytes) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks).subarray(0, maxErrorBodyBytes).toString("utf8")
}

/**
 * Opens one watch over the cluster's own authentication and TLS (as the client's `Watch` does) and
 * reads it to its end, with deadlines the client's `Watch` lacks: the response headers within
 * `headerTimeoutMs`, and no silence longer than the watch's own `timeoutSeconds` plus that (the
 * server sends bookmarks, and must end the watch by then). Never rejects: every ending is a
 * cause. Whatever the ending, the request is aborted and the connection it made destroyed.
 */
export const watchOnce = async (kubeConfig: KubeConfig, request: WatchRequest): Promise<WatchEnd> => {
  const controller = new AbortController()
  let why: "stopped" | "timed-out" | "silent" | undefined
  const abort = (reason: NonNullable<typeof why>) => {
    why ??= reason
    controller.abort()
  }
  const onStop = () => abort("stopped")
  let answeredAt: number | undefined
  let events = 0
  let headerTimer: NodeJS.Timeout | undefined
  let silenceTimer: NodeJS.Timeout | undefined
  const silentMs = request.timeoutSeconds * 1000 + request.headerTimeoutMs
  let lastByteAt = Date.now()
  const end = (cause: WatchEnd["cause"], error?: unknown): WatchEnd => ({
    cause,
    ...(error === undefined ? {} : { error }),
    answered: answeredAt !== undefined,
    events,
    openMs: answeredAt === undefined ? 0 : Date.now() - answeredAt
  })
  if (request.signal.aborted) return end("stopped")
  request.signal.addEventListener("abort", onStop, { once: true })
  const cluster = kubeConfig.getCurrentCluster()
  const context = new RequestContext(`${cluster?.server ?? ""}${request.path}`, HttpMethod.GET)
  const url = new URL(context.getUrl())
  url.search = new URLSearchParams({
    watch: "true",
    allowWatchBookmarks: "true",
    timeoutSeconds: String(request.timeoutSeconds),
    ...(request.resourceVersion === "" ? {} : { resourceVersion: request.resourceVersion })
  }).toString()
  let dispatcher: ReturnType<RequestContext["getDispatcher"]>
  try {
    await kubeConfig.applySecurityAuthentication(context)
    dispatcher = context.getDispatcher()
    if (controller.signal.aborted) return end("stopped")
    headerTimer = setTimeout(() => abort("timed-out"), request.headerTimeoutMs)
    const response = await fetch(url, { headers: context.getHeaders(), ...(dispatcher === undefined ? {} : { dispatcher }), signal: controller.signal })
    clearTimeout(headerTimer)
    if (response.status !== 200) {
      const body = await readBounded(response.body)
      const error = new ApiException(response.status, `watch answered ${response.status}`, body, Object.fromEntries(response.headers))
      return end(response.status === 410 ? "gone" : "failed", error)
    }
    answeredAt = Date.now()
    request.onAnswered()
    const armSilence = () => {
      clearTimeout(silenceTimer)
      silenceTimer = setTimeout(() => abort("silent"), silentMs)
    }
    armSilence()
    if (response.body === null) return end("ended")
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    let pending = ""
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      lastByteAt = Date.now()
      armSilence()
      pending += decoder.decode(value, { stream: true })
      let newline: number
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim()
        pending = pending.slice(newline + 1)
        if (line === "") continue
        const parsed = parseLine(line)
        if (parsed instanceof ApiException) return end(parsed.code === 410 ? "gone" : "failed", parsed)
        if (parsed instanceof Error) return end("failed", parsed)
        if (request.signal.aborted) return end("stopped")
        events++
        request.onEvent(parsed)
      }
      if (pending.length > maxWatchLineBytes) return end("failed", new Error(`the watch sent an event of more than ${maxWatchLineBytes / 1024 / 1024} MiB`))
    }
    return why === undefined ? end("ended") : end(why, why === "silent" ? new WatchSilent(Date.now() - lastByteAt, request.timeoutSeconds) : undefined)
  } catch (error) {
    if (why === "stopped") return end("stopped")
    if (why === "timed-out") return end("timed-out", new WatchNotAnswered(request.headerTimeoutMs))
    if (why === "silent") return end("silent", new WatchSilent(Date.now() - lastByteAt, request.timeoutSeconds))
    return answeredAt === undefined ? end("unreachable", error) : end("dropped", new WatchDropped(Date.now() - answeredAt, error))
  } finally {
    clearTimeout(headerTimer)
    clearTimeout(silenceTimer)
    request.signal.removeEventListener("abort", onStop)
    controller.abort()
    dispatcher?.destroy().catch(() => undefined)
  }
}
