// Imported first by main.ts: tracing (when the OTEL_* variables ask for it) starts before any
// module that it instruments (the `pg` driver) is loaded.
import { startTracing } from '@f2f/telemetry';

startTracing('gateway');
