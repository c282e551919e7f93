// An open-loop load run: requests start on a fixed schedule (evenly spaced, `rate` per second), whether or
// not earlier ones were answered, over at most `connections` keep-alive connections. autocannon's own
// rate limit lets each connection send its whole second's budget at once and then waits, so its
// "fixed rate" arrives in bursts that queue like a closed loop; this one spreads the starts out.
//
// Latency is measured from each request's scheduled start, so a request that waited for a free
// connection (the server fell behind) counts that wait: no coordinated omission.
import http from 'node:http';
import { isSuccessBody } from './load.mjs';
import { Samples } from './stats.mjs';

const ID = '[<id>]';

/**
 * Resolves to { requests, successful, rps, latency: {p50,p90,p99,max,mean}, errors, durationSeconds }.
 * - url: full URL; headers and body as for runLoad (`[<id>]` replaced by a fresh id per request).
 */
export function runOpenLoop({ url, connections, durationSeconds, rate, headers, body, timeoutSeconds = 10 }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = new Samples();
  const intervalMs = 1000 / rate;
  const total = Math.max(1, Math.round(rate * durationSeconds));
  let started = 0;
  let settled = 0;
  let successful = 0;
  let errors = 0;
  let nextId = 1;
  const t0 = performance.now();

  return new Promise((resolve) => {
    const finish = () => {
      agent.destroy();
      const durationSecondsMeasured = (performance.now() - t0) / 1000;
      const [p50, p90, p99, max] = latencies.percentiles(50, 90, 99, 100);
      resolve({
        requests: started,
        successful,
        rps: successful / durationSecondsMeasured,
        latency: { p50, p90, p99, max, mean: latencies.mean() },
        errors,
        durationSeconds: durationSecondsMeasured,
      });
    };
    const done = (scheduledAt, ok) => {
      if (ok) {
        successful += 1;
        latencies.push(performance.now() - scheduledAt);
      } else errors += 1;
      settled += 1;
      if (settled === total) finish();
    };
    const send = (scheduledAt) => {
      const id = String(nextId++);
      const text = body.split(ID).join(id);
      const requestHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v).split(ID).join(id)]));
      requestHeaders['content-length'] = Buffer.byteLength(text);
      const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: requestHeaders, timeout: timeoutSeconds * 1000 }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => done(scheduledAt, res.statusCode >= 200 && res.statusCode < 300 && isSuccessBody(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', () => done(scheduledAt, false));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => done(scheduledAt, false));
      req.end(text);
    };
    // Every millisecond or so, start what the schedule says is due by now, each timed from its own slot.
    const tick = () => {
      const now = performance.now();
      while (started < total && t0 + started * intervalMs <= now) {
        send(t0 + started * intervalMs);
        started += 1;
      }
      if (started < total) setTimeout(tick, Math.max(0, Math.min(1, t0 + started * intervalMs - performance.now())));
    };
    tick();
  });
}
