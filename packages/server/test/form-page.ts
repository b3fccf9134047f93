import { createServer, type IncomingMessage } from "node:http"

/** Where the options form's fragment comes from: core's use case now, the server's `/form?user=` later. */
export type FetchFragment = () => Promise<string>

/** A form the page posted, as the hub would receive it. */
export type Submission = Readonly<Record<string, ReadonlyArray<string>>>

/** A local page that embeds the fragment in a form, as JupyterHub's spawn page does, and records what it posts. */
export interface FormPage {
  /** The page (GET); the form posts to `${url}submit`. */
  readonly url: string
  readonly submissions: ReadonlyArray<Submission>
  readonly close: () => Promise<void>
}

const body = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const formOf = (text: string): Submission => {
  const fields: Record<string, Array<string>> = {}
  for (const [name, value] of new URLSearchParams(text)) (fields[name] ??= []).push(value)
  return fields
}

// No Content-Security-Policy on purpose: a script that got into the fragment would run, and be seen.
const page = (fragment: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Server options</title></head>
<body>
<form method="post" action="/submit" enctype="application/x-www-form-urlencoded">
${fragment}
<button type="submit">Start</button>
</form>
</body>
</html>
`

/** Starts the page on 127.0.0.1, port 0; the fragment is fetched for every GET. */
export const startFormPage = async (fetchFragment: FetchFragment): Promise<FormPage> => {
  const submissions: Array<Submission> = []
  const server = createServer((request, response) => {
    const reply = (status: number, text: string, type = "text/html") => {
      response.writeHead(status, { "content-type": `${type}; charset=utf-8` })
      response.end(text)
    }
    const handle = async () => {
      if (request.method === "GET" && request.url === "/") return reply(200, page(await fetchFragment()))
      if (request.method === "POST" && request.url === "/submit") {
        submissions.push(formOf(await body(request)))
        return reply(200, "<!doctype html><title>Starting</title><p>Starting</p>")
      }
      return reply(404, "not found", "text/plain")
    }
    handle().catch((error: unknown) => reply(500, error instanceof Error ? error.message : String(error), "text/plain"))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error(`the form page listens on ${String(address)}, not a TCP port`)
  return {
    url: `http://127.0.0.1:${address.port}/`,
    submissions,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections()
      server.close((error) => error === undefined ? resolve() : reject(error))
    })
  }
}
