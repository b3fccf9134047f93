import type { IncomingMessage, ServerResponse } from "node:http"

/** The largest request body read: an AdmissionReview of a pod is a few KiB; the API server sends at most ~3 MiB objects. */
export const maxBodyBytes = 1024 * 1024

/** A request that cannot be answered as asked: the status and the words for the caller. */
export class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** The request's body as text; a body over `limit` bytes is refused (413) without reading the rest. */
export const readBody = (request: IncomingMessage, limit = maxBodyBytes): Promise<string> =>
  new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? "0")
    if (declared > limit) {
      request.resume()
      reject(new HttpProblem(413, `request body of ${declared} bytes is over the limit of ${limit} bytes`))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new HttpProblem(413, `request body is over the limit of ${limit} bytes`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () => {
      const decoder = new TextDecoder("utf-8", { fatal: true })
      try {
        resolve(decoder.decode(Buffer.concat(chunks)))
      } catch {
        reject(new HttpProblem(400, "request body is not UTF-8"))
      }
    })
    request.on("error", reject)
  })

/** Parses a JSON body; anything else is a 400 naming what was wrong. */
export const parseJsonBody = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HttpProblem(400, `request body is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
}

const send = (response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...headers })
  response.end(body)
}

/** A JSON answer. */
export const sendJson = (response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) =>
  send(response, status, "application/json", JSON.stringify(body), headers)

/** A plain-text answer (probes, metrics). */
export const sendText = (response: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8") =>
  send(response, status, type, body)

/** An HTML answer (the options form). */
export const sendHtml = (response: ServerResponse, status: number, body: string) =>
  send(response, status, "text/html; charset=utf-8", body)

/** An error as JSON: `{"error": "..."}`, plus what else helps (warnings, details). */
export const sendError = (response: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}) =>
  sendJson(response, status, { error: message, ...extra })
