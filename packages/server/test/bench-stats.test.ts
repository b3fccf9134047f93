import { describe, expect, it } from "vitest"
import { readFileSync } from "node:fs"
import { cpuSecondsOf, percentile, residentOf } from "../bench/stats.ts"

describe("bench figures", () => {
  it("takes nearest-rank percentiles of unsorted values", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(percentile(values, 0.5)).toBe(50)
    expect(percentile(values, 0.99)).toBe(99)
    expect(percentile(values, 1)).toBe(100)
    expect(percentile(values, 0)).toBe(1)
    expect(percentile([7], 0.99)).toBe(7)
    expect(percentile([3, 1, 2], 0.5)).toBe(2)
    expect(percentile([], 0.5)).toBeNaN()
  })

  it("reads VmRSS and VmHWM from /proc status", () => {
    const status = "Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t7\n"
    expect(residentOf(status)).toEqual({ rssMiB: 100, hwmMiB: 200 })
    expect(() => residentOf("Name:\tnode\n")).toThrow(/VmRSS|VmHWM/u)
    expect(residentOf(readFileSync("/proc/self/status", "utf8")).rssMiB).toBeGreaterThan(1)
  })

  it("reads user + system CPU time from /proc stat, whatever the command's name", () => {
    const rest = "S 1 1 1 0 -1 4194304 118 0 0 0 250 50 0 0 20 0 1 0 142359 3133440 359"
    expect(cpuSecondsOf(`42 (node) ${rest}`)).toBe(3)
    expect(cpuSecondsOf(`42 (a (b) c) ${rest}`, 1000)).toBe(0.3)
    expect(() => cpuSecondsOf("42 (node) S 1")).toThrow(/utime/u)
  })
})
