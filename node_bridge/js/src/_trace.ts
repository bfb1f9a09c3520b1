/**
 * Trace propagation: when the optional peer dependency `@opentelemetry/api` is installed, the
 * active context goes along as a `traceparent` header, so the bridge's spans join the caller's
 * trace. Without it (or without a registered propagator) nothing is added.
 */

interface OtelApi {
  context: { active(): unknown }
  propagation: { inject(context: unknown, carrier: Record<string, string>): void }
}

const OTEL_MODULE = '@opentelemetry/api'

let otel: Promise<OtelApi | null> | undefined

function loadOtel(): Promise<OtelApi | null> {
  // A variable specifier keeps tsc from requiring the (optional) module at build time.
  const specifier: string = OTEL_MODULE
  otel ??= import(specifier).then(
    (api: Partial<OtelApi> & { default?: Partial<OtelApi> }) => {
      const found = api.propagation ? api : api.default
      return found?.propagation && found.context ? (found as OtelApi) : null
    },
    () => null,
  )
  return otel
}

/** Adds `traceparent` (and `tracestate`) for the active OpenTelemetry context, if any. */
export async function injectTraceHeaders(headers: Record<string, string>): Promise<void> {
  const api = await loadOtel()
  if (!api) return
  try {
    api.propagation.inject(api.context.active(), headers)
  } catch {
    // Tracing must never break a call.
  }
}

/** The 32-hex trace id of a `traceparent` header, or null. */
export function traceIdOf(headers: Record<string, string>): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(headers.traceparent ?? '')
  return match?.[1] && !/^0+$/.test(match[1]) ? match[1] : null
}
