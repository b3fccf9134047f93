// The benchmark's ceiling: a bare node:https server with jsp serve's TLS settings and timeouts
// that reads each request's body and answers one fixed AdmissionReview (the bytes jsp answered
// to the same request), so the difference to jsp is what jsp does per request.
//   node packages/server/bench/ceiling-server.ts CERT KEY BODY
import { readFileSync } from "node:fs"
import { createServer } from "node:https"

const [cert, key, bodyFile] = process.argv.slice(2)
if (cert === undefined || key === undefined || bodyFile === undefined) throw new Error("usage: ceiling-server.ts CERT KEY BODY")
const body = readFileSync(bodyFile)

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key), minVersion: "TLSv1.2" }, (request, response) => {
  request.on("data", () => {})
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "content-length": body.length, "cache-control": "no-store" })
    response.end(body)
  })
})
server.headersTimeout = 10_000
server.requestTimeout = 30_000
server.keepAliveTimeout = 65_000
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no port")
  process.stdout.write(`${JSON.stringify({ msg: "listening", port: address.port })}\n`)
})
process.on("SIGTERM", () => {
  server.close()
  server.closeAllConnections()
})
