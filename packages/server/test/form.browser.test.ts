// The options form in a real browser (issue 9): Debian's chromium, headless, through playwright-core.
// The page embeds the fragment jsp serve answers to `GET /form?user=alice`, over real HTTPS.
import { MemoryConfigSource, MemoryImageCatalog, MemoryServiceGateway, MemoryUserSettingsStore, notebookImageStream } from "@jsp/core/testing"
import { Layer } from "effect"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type HeadlessChromium, launchChromium, processesUsing, waitUntilGone } from "./browser.ts"
import { systemPackagesReady, systemPackagesWaitMs } from "./system-packages.ts"
import { call, tlsFixture, startTestServer, type TestServer } from "./fixture.ts"
import { type FetchFragment, type FormPage, startFormPage } from "./form-page.ts"

const hostile = "<script>alert(1)</script>"
// Would open a dialog if the description broke out of its attribute.
const hostileDescription = `"><img src=x onerror=alert(2)>'`

const configuration = `
sizes:
  - { name: Small, resources: { requests: { cpu: "1", memory: 1Gi } } }
  - { name: Large, resources: { limits: { cpu: "4", memory: 8Gi } } }
  - { name: "${hostile}", resources: { limits: { memory: 1Gi } } }
`
const layers = Layer.mergeAll(
  MemoryUserSettingsStore().layer,
  MemoryServiceGateway().layer,
  MemoryConfigSource({
    documents: [{ source: "main", text: configuration }],
    userSettings: { alice: "last_selected_image: s2i-spark-notebook:3.6\nlast_selected_size: Large\n" }
  }),
  MemoryImageCatalog([
    notebookImageStream("s2i-minimal-notebook", ["3.6"], { "opendatahub.io/notebook-image-name": "Minimal Python", "opendatahub.io/notebook-image-order": "10" }),
    notebookImageStream("s2i-spark-notebook", ["3.6"], { "opendatahub.io/notebook-image-desc": "Spark" }),
    notebookImageStream(hostile, ["1"], { "opendatahub.io/notebook-image-desc": hostileDescription })
  ])
)

let server: TestServer
const fetchFragment: FetchFragment = async () => {
  const answer = await call(server, "GET", "/form?user=alice")
  if (answer.status !== 200) throw new Error(`GET /form answered ${answer.status}: ${answer.text}`)
  expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8")
  return answer.text
}

const startServer = async () => {
  server = await startTestServer(layers, { tlsFiles: await tlsFixture("jsp-form-") })
}

interface ShownOption {
  readonly value: string
  readonly text: string
  readonly selected: boolean
}

// Read through locators, as a user sees them: the text, the value, and what the dropdown holds now.
const optionsOf = async (page: Page, name: string): Promise<ReadonlyArray<ShownOption>> => {
  const select = page.locator(`select[name="${name}"]`)
  const options = select.locator("option")
  const texts = await options.allTextContents()
  const values = await Promise.all(texts.map((_, i) => options.nth(i).getAttribute("value")))
  const chosen = await select.inputValue()
  expect(await select.locator("option:checked").count()).toBe(1)
  return values.map((value, i) => ({ value: value ?? "", text: texts[i] ?? "", selected: value === chosen }))
}

// Debian's chromium may still be installing (.ci/run): wait for it before anything starts.
beforeAll(systemPackagesReady, systemPackagesWaitMs)

let browser: HeadlessChromium
let formPage: FormPage
let page: Page
const dialogs: Array<string> = []

beforeAll(async () => {
  // One browser for the file; a missing chromium fails here, and with it every test.
  await startServer()
  ;[browser, formPage] = await Promise.all([launchChromium(), startFormPage(fetchFragment)])
  // The browser's processes name its profile: afterAll checks by the same means that they are gone.
  expect(processesUsing(browser.userDataDir).length).toBeGreaterThan(0)
  page = await browser.context.newPage()
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
}, 90_000)

afterAll(async () => {
  await formPage?.close()
  await server?.close()
  if (browser === undefined) return
  await browser.close()
  expect(await waitUntilGone(browser.userDataDir)).toEqual([])
}, 30_000)

beforeEach(async () => {
  await page.goto(formPage.url)
})

describe("the options form in headless Chromium", () => {
  it("shows the images and sizes, each dropdown labelled, the user's last choices selected", async () => {
    expect(await optionsOf(page, "custom_image")).toEqual([
      { value: "s2i-minimal-notebook:3.6", text: "Minimal Python (s2i-minimal-notebook:3.6)", selected: false },
      { value: `${hostile}:1`, text: `${hostile}:1`, selected: false },
      { value: "s2i-spark-notebook:3.6", text: "s2i-spark-notebook:3.6", selected: true }
    ])
    expect((await optionsOf(page, "size")).map((o) => [o.value, o.selected])).toEqual([["", false], ["Small", false], ["Large", true], [hostile, false]])
    expect((await optionsOf(page, "size"))[0]?.text).toMatch(/^Default/u)
    // Reached through their labels, as assistive technology reaches them.
    expect(await page.getByLabel("Notebook image").inputValue()).toBe("s2i-spark-notebook:3.6")
    expect(await page.getByLabel("Container size").inputValue()).toBe("Large")
  })

  it("shows hostile names as text: no script or image element, no dialog", async () => {
    expect(await page.locator(`select[name="size"] option`).nth(3).textContent()).toContain(hostile)
    expect(await page.locator(`select[name="custom_image"] option`).nth(1).getAttribute("title")).toBe(hostileDescription)
    expect(await page.locator("script, img").count()).toBe(0)
    // Let anything that was going to run have run.
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)))")
    expect(dialogs).toEqual([])
  })

  it("submitting posts custom_image and size, Default as an empty size", async () => {
    const submitted = formPage.submissions.length
    await Promise.all([page.waitForURL(`${formPage.url}submit`), page.getByRole("button", { name: "Start" }).click()])
    await page.goto(formPage.url)
    await page.getByLabel("Notebook image").selectOption(`${hostile}:1`)
    await page.getByLabel("Container size").selectOption("")
    await Promise.all([page.waitForURL(`${formPage.url}submit`), page.getByRole("button", { name: "Start" }).click()])
    expect(formPage.submissions.slice(submitted)).toEqual([
      { custom_image: ["s2i-spark-notebook:3.6"], size: ["Large"] },
      { custom_image: [`${hostile}:1`], size: [""] }
    ])
    expect(dialogs).toEqual([])
  })
})
