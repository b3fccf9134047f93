import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { connect } from "node:tls"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { isJsonObject } from "@jsp/core"
import { MemoryImageCatalog, MemoryServiceGateway, MemoryUserSettingsStore } from "@jsp/core/testing"
import { FileConfigSource } from "@jsp/file-adapter"
import { Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, certificate, examplePod, exampleLayers, reviewOf, startTestServer, type TestServer, type TlsFixture, tlsFixture } from "./fixture.ts"

let tlsFiles: TlsFixture
let server: TestServer

beforeAll(async () => {
  tlsFiles = await tlsFixture("jsp-lifecycle-")
  server = await startTestServer(exampleLayers().layer, { tlsFiles, tlsReloadMs: 50 })
})
afterAll(() => server.close())

/** The fingerprint of the certificate the server presents now, and the TLS version it speaks. */
const presented = (port: number, options: { maxVersion?: "TLSv1.1" | "TLSv1.2" } = {}) => new Promise<{ fingerprint: string; protocol: string | null }>((resolve, reject) => {
  const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false, ...options }, () => {
    resolve({ fingerprint: socket.getPeerCertificate().fingerprint256, protocol: socket.getProtocol() })
    socket.end()
  })
  socket.on("error", reject)
})

const until = async <A>(what: string, check: () => Promise<A | undefined>, ms = 10_000): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe("TLS", () => {
  it("speaks TLS 1.2 or later only", async () => {
    expect((await presented(server.port)).protocol).toMatch(/^TLSv1\.[23]$/u)
    await expect(presented(server.port, { maxVersion: "TLSv1.1" })).rejects.toThrow()
  })

  it("serves a renewed certificate without a restart, and keeps the old one while the files are broken", async () => {
    const before = (await presented(server.port)).fingerprint
    writeFileSync(tlsFiles.cert, "not a certificate")
    await until("a warning about the broken certificate", async () => server.logs.find((l) => l["msg"] === "certificate not reloaded; the previous one is kept"))
    expect((await presented(server.port)).fingerprint).toBe(before)
    const renewed = await certificate()
    writeFileSync(tlsFiles.key, renewed.private)
    writeFileSync(tlsFiles.cert, renewed.cert)
    const after = await until("the renewed certificate", async () => {
      const now = (await presented(server.port)).fingerprint
      return now !== before ? now : undefined
    })
    expect(after).not.toBe(before)
    expect((await call({ port: server.port, ca: renewed.cert }, "GET", "/healthz")).status).toBe(200)
  })
})

describe("stopping", () => {
  it("finishes a request in flight, refuses new connections, then returns", async () => {
    const ca = readFileSync(tlsFiles.cert, "utf8")
    const own = await startTestServer(exampleLayers().layer, { tlsFiles: { ...tlsFiles, ca }, tlsReloadMs: 60_000 })
    const body = JSON.stringify(reviewOf(examplePod()))
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: own.port, method: "POST", path: "/mutate", ca, servername: "localhost", agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
      })
      req.on("error", reject)
      req.write(body.slice(0, 50))
      setTimeout(() => req.end(body.slice(50)), 300)
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closed = own.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    await expect(call({ port: own.port, ca }, "GET", "/healthz")).rejects.toThrow()
    expect(await inFlight).toBe(200)
    await closed
  })
})

describe("configuration edits while serving (files)", () => {
  it("serves an edit without a restart, counts it, and keeps the last good version when an edit is invalid", async () => {
    const config = mkdtempSync(join(tmpdir(), "jsp-edits-"))
    const file = join(config, "profiles.yaml")
    const sizes = (names: ReadonlyArray<string>) => `sizes:\n${names.map((n) => `  - { name: ${n}, resources: { limits: { cpu: "1" } } }`).join("\n")}\n`
    writeFileSync(file, sizes(["Small"]))
    const source = FileConfigSource({ paths: [config], watch: { intervalMs: 20 } }).pipe(Layer.provide(NodeServices.layer))
    const layer = Layer.mergeAll(MemoryUserSettingsStore().layer, MemoryImageCatalog([]), MemoryServiceGateway().layer, source)
    const own = await startTestServer(layer, { tlsFiles: { ...tlsFiles, ca: readFileSync(tlsFiles.cert, "utf8") }, reloadCheckMs: 20 })
    const sizeNames = async () => {
      const answer = await call(own, "GET", "/api/sizes")
      return isJsonObject(answer.json) && Array.isArray(answer.json["sizes"]) ? answer.json["sizes"].map((s) => isJsonObject(s) ? s["name"] : undefined) : []
    }
    const reloads = async (outcome: string) => (await own.metrics.reloads.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0
    try {
      expect(await sizeNames()).toEqual(["Small"])
      writeFileSync(file, sizes(["Small", "Large"]))
      await until("the edit served", async () => (await sizeNames()).length === 2 ? true : undefined)
      await until("the reload counted", async () => await reloads("ok") >= 1 ? true : undefined)
      writeFileSync(file, "sizes: [ {name: Broken, resources: {limits: {cpu: lots}}} ]\n")
      await until("the rejection counted", async () => await reloads("error") >= 1 ? true : undefined)
      expect(await sizeNames()).toEqual(["Small", "Large"])
      const ready = await call(own, "GET", "/readyz")
      expect(ready.status).toBe(200)
      expect(JSON.stringify(ready.json)).toMatch(/profiles\.yaml.*cpu/u)
    } finally {
      await own.close()
    }
  })
})
