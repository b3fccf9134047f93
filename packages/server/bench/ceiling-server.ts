// The benchmark's references: bare node:https servers with jsp serve's TLS settings and timeouts.
//   fixed  (the ceiling of issue 9): reads each request's body and answers one fixed AdmissionReview
//          (the bytes jsp answered to the same request), so the difference to jsp is what jsp does
//          per request;
//   parse  (the floor of any webhook): also parses the review and writes the same answer with
//          the request's uid, JSON.stringify'd: the least a webhook that reads what it is sent does.
//   node packages/server/bench/ceiling-server.ts CERT KEY BODY [fixed|parse]
import { isJsonObject } from "@jsp/core"
import { readFileSync } from "node:fs"
import { createServer } from "node:https"

const [cert, key, bodyFile, mode = "fixed"] = process.argv.slice(2)
if (cert === undefined || key === undefined || bodyFile === undefined || (mode !== "fixed" && mode !== "parse")) {
  throw new Error("usage: ceiling-server.ts CERT KEY BODY [fixed|parse]")
}
const body = readFileSync(bodyFile)
const fixedAnswer: unknown = JSON.parse(body.toString("utf8"))
if (!isJsonObject(fixedAnswer) || !isJsonObject(fixedAnswer["response"])) throw new Error(`${bodyFile} is not an AdmissionReview answer`)
const fixedResponse = fixedAnswer["response"]

// The fixed answer again, with the request's uid in it (in the same place: the bytes are jsp's).
const answerFor = (chunks: ReadonlyArray<Buffer>): Buffer => {
  const review: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"))
  const request = isJsonObject(review) ? review["request"] : undefined
  const uid = isJsonObject(request) ? request["uid"] : undefined
  return Buffer.from(JSON.stringify({ ...fixedAnswer, response: { ...fixedResponse, uid } }))
}

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key), minVersion: "TLSv1.2" }, (request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => {
    if (mode === "parse") chunks.push(chunk)
  })
  request.on("end", () => {
    const out = mode === "parse" ? answerFor(chunks) : body
    response.writeHead(200, { "content-type": "application/json", "content-length": out.length, "cache-control": "no-store" })
    response.end(out)
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
