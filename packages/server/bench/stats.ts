// Figures the serve benchmark and soak compute themselves (autocannon gives its own percentiles).

/** The value at quantile `q` (0–1) of `values`, nearest-rank: the smallest value with at least q of them at or below it. */
export const percentile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[rank - 1] ?? NaN
}

/** A process's resident memory from /proc/PID/status, in MiB: now (VmRSS) and its peak (VmHWM). */
export interface Resident {
  readonly rssMiB: number
  readonly hwmMiB: number
}

/** Reads VmRSS and VmHWM out of the text of /proc/PID/status. */
export const residentOf = (status: string): Resident => {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "mu").exec(status)
    if (match?.[1] === undefined) throw new Error(`/proc status has no ${field} line`)
    return Number(match[1]) / 1024
  }
  return { rssMiB: kib("VmRSS"), hwmMiB: kib("VmHWM") }
}

/**
 * CPU seconds a process has used (user + system), from the text of /proc/PID/stat; `ticksPerSecond`
 * is the kernel's clock tick (`getconf CLK_TCK`, 100 on Linux). The command name (field 2) may
 * hold spaces and parentheses, so the fields are counted from its last `)`.
 */
export const cpuSecondsOf = (stat: string, ticksPerSecond = 100): number => {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // After the name: state is field 3, utime field 14, stime field 15.
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc stat without utime and stime: ${stat.slice(0, 80)}`)
  return (utime + stime) / ticksPerSecond
}
