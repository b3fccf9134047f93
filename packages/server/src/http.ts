import type { IncomingMessage } from "node:http"

/** The largest request body read: an AdmissionReview of a pod is a few KiB; the API server sends at most ~3 MiB objects. */
export const maxBodyBytes = 1024 * 1024

/** A request that cannot be answered as asked: the status and the words for the caller. */
export class HttpProblem extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

// Decoding with `fatal` keeps no state between calls: one decoder serves every request.
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The request's body as text; a body over `limit` bytes is refused (413) and what comes of it dropped, never held. */
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
      if (size > limit) return
      size += chunk.length
      if (size > limit) {
        // The rest is read and dropped rather than the connection reset: the client then sees
        // the 413 (a reset could reach it first). The server's request timeout bounds how long.
        chunks.length = 0
        reject(new HttpProblem(413, `request body is over the limit of ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    request.on("end", () => {
      if (size > limit) return
      try {
        resolve(utf8.decode(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks)))
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
