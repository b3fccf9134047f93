// An open-loop load at a fixed rate over HTTPS keep-alive connections, verifying the server's
// certificate: request i is due at start + i/rate and its latency counts from then (so a server
// that falls behind shows it, rather than slowing the load down: no coordinated omission).
// autocannon's own rate limit sends each second's quota in a burst, hence this.
import { Agent, request as httpsRequest } from "node:https"

/** One answer, as the caller checks it. */
export interface Answered {
  readonly status: number
  readonly body: string
}

/** What a paced run did: every latency in ms, and the requests that failed with why. */
export interface PacedResult {
  /** Requests sent and timed (after the warm-up). */
  readonly sent: number
  /** Requests of the warm-up: sent and checked, not timed. */
  readonly warmup: number
  readonly latenciesMs: ReadonlyArray<number>
  readonly failures: ReadonlyArray<string>
  readonly elapsedMs: number
}

export interface PacedOptions {
  readonly port: number
  readonly ca: string | Buffer
  readonly path: string
  readonly rate: number
  readonly durationMs: number
  readonly connections: number
  /**
   * Requests sent first at the same rate over the same connections and checked, but not timed:
   * the connections' TLS handshakes and both sides' first compilations are not the steady state
   * a webhook serves in (the API server keeps its connections alive).
   */
  readonly warmupMs?: number
  /** Request i's body, and the check of its answer (a reason when it is wrong). */
  readonly request: (i: number) => { readonly body: string; readonly check: (answer: Answered) => string | undefined }
}

/** Sends `rate` requests per second for `durationMs` and waits for every answer. */
export const pacedLoad = (options: PacedOptions): Promise<PacedResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, ca: options.ca, servername: "localhost" })
  const latencies: Array<number> = []
  const failures: Array<string> = []
  const warmup = Math.round(options.rate * (options.warmupMs ?? 0) / 1000)
  const total = warmup + Math.round(options.rate * options.durationMs / 1000)
  const interval = 1000 / options.rate
  const start = performance.now()
  let sent = 0
  let done = 0
  return new Promise((resolve) => {
    const finish = () => {
      if (done < total) return
      agent.destroy()
      resolve({ sent: sent - warmup, warmup, latenciesMs: latencies, failures, elapsedMs: performance.now() - start - (options.warmupMs ?? 0) })
    }
    const send = (i: number, due: number) => {
      const { body, check } = options.request(i)
      const answered = (reason: string | undefined) => {
        if (i >= warmup) latencies.push(performance.now() - due)
        if (reason !== undefined) failures.push(`request ${i}: ${reason}`)
        done++
        finish()
      }
      const req = httpsRequest({
        host: "127.0.0.1",
        port: options.port,
        method: "POST",
        path: options.path,
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
      }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => answered(check({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") })))
        res.on("error", (error) => answered(`response: ${error.message}`))
      })
      req.on("error", (error) => answered(`request: ${error.message}`))
      req.end(body)
    }
    const tick = () => {
      const now = performance.now()
      // Everything due by now goes out now, each timed from when it was due.
      while (sent < total && start + sent * interval <= now) {
        send(sent, start + sent * interval)
        sent++
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()))
    }
    tick()
  })
}
