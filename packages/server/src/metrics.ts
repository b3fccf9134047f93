import { Counter, Histogram, Registry } from "prom-client"

/** The server's Prometheus metrics, on a registry of its own (tests run several servers in one process). */
export interface ServerMetrics {
  readonly registry: Registry
  /** Admission requests by outcome: patched, unchanged, skipped, failed-open, denied, bad-request. */
  readonly admissions: Counter<"outcome">
  /** Latency of every request, by route. */
  readonly latency: Histogram<"route">
  /** Reads of the configuration that found a new version, and those that failed. */
  readonly reloads: Counter<"outcome">
  /** Services deployed or failed, one per service of a spawn. */
  readonly services: Counter<"outcome">
  /** Requests answered by the spawner API and the form, by route and status. */
  readonly apiRequests: Counter<"route" | "status">
}

/** A fresh set of the server's metrics. */
export const makeMetrics = (): ServerMetrics => {
  const registry = new Registry()
  return {
    registry,
    admissions: new Counter({ name: "jsp_admission_requests_total", help: "Admission requests by outcome", labelNames: ["outcome"], registers: [registry] }),
    latency: new Histogram({
      name: "jsp_request_duration_seconds",
      help: "Time to answer a request, by route",
      labelNames: ["route"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry]
    }),
    reloads: new Counter({ name: "jsp_configuration_reloads_total", help: "New configuration versions seen (ok) and reads that failed (error)", labelNames: ["outcome"], registers: [registry] }),
    services: new Counter({ name: "jsp_services_total", help: "Per-user service deployments by outcome", labelNames: ["outcome"], registers: [registry] }),
    apiRequests: new Counter({ name: "jsp_api_requests_total", help: "Spawner API and form requests by route and status", labelNames: ["route", "status"], registers: [registry] })
  }
}
