// JupyterHub, for real: Debian's JupyterHub 3 runs the configuration documented in
// docs/jupyterhub.md (deploy/jupyterhub/), with a stand-in for KubeSpawner; a user picks an image
// and a size on the hub's spawn page in headless Chromium; jsp serve (against the API-server double)
// answers the hub's hooks. See jupyterhub/kubespawner_standin.py for what the stand-in does.
import { isJsonObject, type JsonObject } from "@jsp/core"
import { configMaps, customResource, defaultResourceTypes, FakeApiServer, imageStreams } from "@jsp/kube-fake"
import jsonPatch from "fast-json-patch"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { systemPackagesReady, systemPackagesWaitMs } from "./system-packages.ts"
import { parseAllDocuments } from "yaml"
import { call, certificate, reviewOf } from "./fixture.ts"
import {
  alive,
  type Child,
  childrenOf,
  chromiumBin,
  commandOf,
  fixtures,
  freePort,
  jupyterhubBin,
  processesWith,
  requireInstalled,
  root,
  start,
  stop,
  tail,
  until
} from "./jupyterhub/harness.ts"

const namespace = "odh"
const kubeToken = "e2e-kube-token"
const apiToken = "e2e-hub-token-0123456789"
const spark = customResource("radanalytics.io", "v1", "SparkCluster", "sparkclusters")
const airflow = [
  customResource("airflow.k8s.io", "v1alpha1", "AirflowBase", "airflowbases"),
  customResource("airflow.k8s.io", "v1alpha1", "AirflowCluster", "airflowclusters")
]

const scratch = mkdtempSync(join(tmpdir(), "jsp-jupyterhub-e2e-"))
let fake: FakeApiServer
let jsp: Child & { readonly port: number; readonly ca: string }
const hubs: Partial<Record<"hub-driven" | "webhook", Hub>> = {}
let browser: Browser | undefined

interface Hub {
  readonly child: Child
  readonly url: string
  readonly state: string
}

/** The manifests of the examples, as the hub's namespace holds them. */
const loadExamples = () => {
  const files = [
    ...readdirSync(`${root}examples/config`).map((f) => `${root}examples/config/${f}`),
    `${root}examples/cluster/imagestreams.yaml`
  ]
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const value: unknown = doc.toJS()
      if (!isJsonObject(value)) continue
      const items = value["kind"] === "List" && Array.isArray(value["items"]) ? value["items"].filter(isJsonObject) : [value]
      for (const item of items) {
        if (item["kind"] === "ConfigMap") fake.put(configMaps, namespace, item)
        else if (item["kind"] === "ImageStream") fake.put(imageStreams, namespace, item)
        else throw new Error(`${file}: unexpected ${String(item["kind"])}`)
      }
    }
  }
}

/** `jsp serve` as users run it, against the double, once it logs that it listens. */
const startJsp = async () => {
  const pems = await certificate()
  const files = { cert: join(scratch, "tls.crt"), key: join(scratch, "tls.key"), token: join(scratch, "token"), kubeconfig: join(scratch, "kubeconfig") }
  writeFileSync(files.cert, pems.cert)
  writeFileSync(files.key, pems.private)
  writeFileSync(files.token, `${apiToken}\n`)
  writeFileSync(files.kubeconfig, fake.kubeconfig(namespace, kubeToken))
  const child = start("jsp serve", `${root}node_modules/.bin/jsp`, [
    "serve", "--source", "cluster", "--kubeconfig", files.kubeconfig, "--namespace", namespace,
    "--tls-cert", files.cert, "--tls-key", files.key, "--api-token-file", files.token, "--host", "127.0.0.1", "--port", "0"
  ], { cwd: root })
  const port = await until("jsp serve to listen", async () => {
    for (const line of child.output.join("").split("\n")) {
      if (!line.startsWith("{")) continue
      const parsed: unknown = JSON.parse(line)
      if (isJsonObject(parsed) && parsed["msg"] === "listening") return Number(parsed["port"])
    }
    return undefined
  }, 40_000, [child])
  return { ...child, port, ca: pems.cert }
}

/** A hub with a documented configuration, on a port of its own, once it answers. */
const startHub = async (mode: string, config: string): Promise<Hub> => {
  const state = join(scratch, mode)
  mkdirSync(state)
  // JupyterHub cannot listen on port 0 and say which port it got: a free port, tried again if taken meanwhile.
  for (let attempt = 1; ; attempt++) {
    const url = `http://127.0.0.1:${await freePort()}`
    const child = start(`jupyterhub (${mode})`, jupyterhubBin, ["-f", `${fixtures}jupyterhub_config.py`, `--JupyterHub.pid_file=${state}/jupyterhub.pid`], {
      cwd: state,
      env: {
        ...process.env,
        JSP_URL: `https://127.0.0.1:${jsp.port}`,
        JSP_TOKEN_FILE: join(scratch, "token"),
        JSP_CA_FILE: join(scratch, "tls.crt"),
        JSP_E2E_CONFIG: `${root}deploy/jupyterhub/${config}`,
        JSP_E2E_DIR: state,
        JSP_E2E_HUB_PORT: url.slice(url.lastIndexOf(":") + 1)
      }
    })
    try {
      await until(`the ${mode} hub to answer`, async () => {
        const answer = await fetch(`${url}/hub/health`).catch(() => undefined)
        return answer?.status === 200 ? true : undefined
      }, 45_000, [child])
      return { child, url, state }
    } catch (error) {
      await stop(child)
      if (attempt < 3 && tail(child).includes("Address already in use")) continue
      throw error
    }
  }
}

// JupyterHub and chromium may still be installing (.ci/run): wait for them before anything starts.
beforeAll(systemPackagesReady, systemPackagesWaitMs)

beforeAll(async () => {
  requireInstalled()
  fake = await FakeApiServer.start({ token: kubeToken, gcDelayMs: 5, resourceTypes: [...defaultResourceTypes, ...airflow] })
  loadExamples()
  // Playwright gives the browser a fresh profile in a temp dir of its own, removed on close.
  const launching = chromium.launch({
    executablePath: chromiumBin,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  })
  jsp = await startJsp()
  const [hubDriven, webhook] = await Promise.all([
    startHub("hub-driven", "jupyterhub_config_hub_driven.py"),
    startHub("webhook", "jupyterhub_config_webhook.py")
  ])
  hubs["hub-driven"] = hubDriven
  hubs["webhook"] = webhook
  browser = await launching
}, 120_000)

afterAll(async () => {
  await browser?.close()
  const browsers = childrenOf(process.pid).filter((pid) => commandOf(pid).includes(chromiumBin))
  // The hubs first: stopping, they stop their users' servers, which calls jsp.
  const hubStops = await Promise.all(Object.values(hubs).map(async (hub) => ({ hub, ended: await stop(hub.child) })))
  const jspStop = jsp === undefined ? undefined : await stop(jsp)
  await fake?.stop()
  const left = processesWith(scratch)
  for (const pid of left) process.kill(pid, "SIGKILL")
  rmSync(scratch, { recursive: true, force: true })
  for (const { hub, ended } of hubStops) expect(ended, `${hub.child.name} did not stop on SIGTERM:\n${tail(hub.child)}`).toMatchObject({ code: 0, killed: false })
  expect(jspStop).toMatchObject({ code: 0, killed: false })
  for (const child of [...Object.values(hubs).map((h) => h.child), ...(jsp === undefined ? [] : [jsp])]) expect(alive(child.pid)).toBe(false)
  expect(left).toEqual([])
  expect(browsers).toEqual([])
}, 60_000)

const hubOf = (mode: "hub-driven" | "webhook"): Hub => {
  const hub = hubs[mode]
  if (hub === undefined) throw new Error(`the ${mode} hub did not start`)
  return hub
}

/** jsp's spawner API, as the hub calls it. */
const api = (method: string, path: string) =>
  call(jsp, method, path, { headers: { authorization: `Bearer ${apiToken}` } })

const sizeResources = async (name: string): Promise<unknown> => {
  const answer = await api("GET", "/api/sizes")
  const sizes = isJsonObject(answer.json) && Array.isArray(answer.json["sizes"]) ? answer.json["sizes"].filter(isJsonObject) : []
  const size = sizes.find((s) => s["name"] === name)
  if (size === undefined) throw new Error(`jsp has no size ${name}: ${answer.text}`)
  return size["resources"]
}

const settingsOf = async (user: string): Promise<unknown> => {
  const answer = await api("GET", `/api/users/${user}/settings`)
  return isJsonObject(answer.json) ? answer.json["settings"] : answer.text
}

/** The pod the stand-in spawner would have created for the user. */
const recordedPod = (hub: Hub, user: string): JsonObject => {
  const value: unknown = JSON.parse(readFileSync(join(hub.state, `${user}.json`), "utf8"))
  if (!isJsonObject(value)) throw new Error("the recorded pod is not an object")
  return value
}

interface PodView {
  readonly image: unknown
  readonly annotations: Record<string, string>
  readonly resources: unknown
  readonly env: Record<string, string>
}

const viewOf = (pod: JsonObject): PodView => {
  const metadata = isJsonObject(pod["metadata"]) ? pod["metadata"] : {}
  const spec = isJsonObject(pod["spec"]) ? pod["spec"] : {}
  const containers = Array.isArray(spec["containers"]) ? spec["containers"].filter(isJsonObject) : []
  const notebook = containers.find((c) => c["name"] === "notebook") ?? {}
  const env = Array.isArray(notebook["env"]) ? notebook["env"].filter(isJsonObject) : []
  return {
    image: notebook["image"],
    annotations: isJsonObject(metadata["annotations"]) ? Object.fromEntries(Object.entries(metadata["annotations"]).map(([k, v]) => [k, String(v)])) : {},
    resources: notebook["resources"],
    env: Object.fromEntries(env.flatMap((e) => typeof e["value"] === "string" ? [[String(e["name"]), e["value"]]] : []))
  }
}

const appliedProfiles = (view: PodView): unknown => JSON.parse(view.annotations["jsp.opendatahub.io/applied-profiles"] ?? "null")

/** Logs in with the dummy authenticator, in a browser context of its own (cookies are not kept apart by port); the hub then shows its spawn page. */
const logIn = async (hub: Hub, user: string): Promise<Page> => {
  if (browser === undefined) throw new Error("chromium did not start")
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${hub.url}/hub/login`)
  await page.fill("#username_input", user)
  await page.fill("#password_input", "any")
  await page.click("#login_submit")
  await page.waitForURL("**/hub/spawn**")
  return page
}

/** A dropdown of jsp's form on the hub's spawn page: the values it offers, and the one selected. */
const dropdown = async (page: Page, name: string) => {
  const select = page.locator(`#spawn_form select[name=${name}]`)
  return {
    values: await select.locator("option").evaluateAll((options) => options.map((o) => o.getAttribute("value"))),
    selected: await select.inputValue()
  }
}

/** Picks an image and a size and presses Start; resolves when the hub sends the browser to the running server. */
const spawnWith = async (hub: Hub, page: Page, user: string, image: string, size: string) => {
  await page.selectOption("#spawn_form select[name=custom_image]", image)
  await page.selectOption("#spawn_form select[name=size]", size)
  // Once the server is ready the hub sends the browser to /user/NAME/, which the proxy would route
  // to the server. Without a proxy the hub gets it back and redirects in a slowing loop: the
  // request is the sign, and the page moves on.
  const ready = page.waitForRequest((request) => new URL(request.url()).pathname.startsWith(`/user/${user}/`), { timeout: 45_000 })
  await page.click("#spawn_form input[type=submit]", { noWaitAfter: true })
  await ready.catch((error: unknown) => { throw new Error(`the spawn did not complete (page ${page.url()}): ${String(error)}\n${tail(hub.child)}`) })
}

describe("JupyterHub with the documented configuration", () => {
  it("hub-driven mode: jsp's choices on the spawn page; the pod jsp returns has the image's profiles, the size and the services' values; the choice is remembered; stopping tears the services down", async () => {
    const hub = hubOf("hub-driven")
    const page = await logIn(hub, "alice")
    const images = await dropdown(page, "custom_image")
    expect(images.values).toEqual(expect.arrayContaining(["s2i-minimal-notebook:3.6", "s2i-thoth-notebook:3.6", "s2i-spark-notebook:3.6"]))
    expect(images.selected).toBe("s2i-minimal-notebook:3.6")
    expect(await dropdown(page, "size")).toEqual({ values: ["", "Small", "Medium", "Large"], selected: "" })

    await spawnWith(hub, page, "alice", "s2i-spark-notebook:3.6", "Medium")
    const pod = viewOf(recordedPod(hub, "alice"))
    expect(pod.image).toBe("s2i-spark-notebook:3.6")
    expect(appliedProfiles(pod)).toEqual(expect.arrayContaining(["globals", "Spark Notebook", "size:Medium"]))
    expect(appliedProfiles(pod)).not.toContain("Thoth Notebooks")
    expect(pod.annotations["jsp.opendatahub.io/size"]).toBe("Medium")
    expect(pod.resources).toEqual(await sizeResources("Medium"))
    expect(pod.env["THIS_IS_GLOBAL"]).toBe("This will appear in all singleuser pods")
    // pre_spawn_hook deployed the services and put what they return into the spawner's environment.
    expect(pod.env["SPARK_CLUSTER"]).toBe("spark-cluster-alice")
    expect(fake.store.get(spark, namespace, "spark-cluster-alice")).toBeDefined()
    expect(await settingsOf("alice")).toMatchObject({ last_selected_image: "s2i-spark-notebook:3.6", last_selected_size: "Medium" })
    // The hub runs no proxy and no single-user process: the stand-ins serve in the hub's process.
    expect(childrenOf(hub.child.pid)).toEqual([])

    // The stop button works once the page's scripts (loaded by require.js after "load") are in.
    await page.goto(`${hub.url}/hub/home`, { waitUntil: "networkidle" })
    await page.click("#stop")
    await until("post_stop_hook to tear alice's services down", async () =>
      fake.store.get(configMaps, namespace, "singleuser-service-ref-alice") === undefined && fake.store.get(spark, namespace, "spark-cluster-alice") === undefined ? true : undefined,
      20_000, [hub.child])

    await page.goto(`${hub.url}/hub/spawn`)
    expect((await dropdown(page, "custom_image")).selected).toBe("s2i-spark-notebook:3.6")
    expect((await dropdown(page, "size")).selected).toBe("Medium")
    await page.close()
  }, 90_000)

  it("webhook mode: the pod KubeSpawner creates carries the chosen image and size; jsp's webhook applies that image's profiles and size; the choice is remembered", async () => {
    const hub = hubOf("webhook")
    const page = await logIn(hub, "fpokorny")
    await spawnWith(hub, page, "fpokorny", "s2i-thoth-notebook:3.6", "Large")
    await page.close()
    const created = recordedPod(hub, "fpokorny")
    const before = viewOf(created)
    expect(before.image).toBe("s2i-thoth-notebook:3.6")
    expect(before.annotations["jsp.opendatahub.io/size"]).toBe("Large")
    expect(before.annotations["jsp.opendatahub.io/applied-profiles"]).toBeUndefined()

    // The API server's part: the created pod through jsp's admission webhook.
    const answer = await call(jsp, "POST", "/mutate", { body: reviewOf(created, { namespace }) })
    expect(answer.status).toBe(200)
    const response = isJsonObject(answer.json) && isJsonObject(answer.json["response"]) ? answer.json["response"] : {}
    expect(response["allowed"]).toBe(true)
    const patch = JSON.parse(Buffer.from(String(response["patch"]), "base64").toString("utf8")) as Array<jsonPatch.Operation>
    const after = viewOf(jsonPatch.applyPatch(structuredClone(created), patch, true, false).newDocument)
    expect(appliedProfiles(after)).toEqual(expect.arrayContaining(["globals", "Thoth Notebooks", "size:Large"]))
    expect(appliedProfiles(after)).not.toContain("Spark Notebook")
    expect(after.resources).toEqual(await sizeResources("Large"))
    expect(after.env["THOTH_DEPLOYMENT_NAME"]).toBe("thoth-test-core")
    expect(await settingsOf("fpokorny")).toMatchObject({ last_selected_image: "s2i-thoth-notebook:3.6", last_selected_size: "Large" })
  }, 90_000)
})
