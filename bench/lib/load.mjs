// One load run with autocannon (programmatic API): fixed duration, N keep-alive connections, the same
// request over and over with a fresh JSON-RPC id (and X-Request-Id) each time.
//
// What it counts, beyond autocannon's own numbers:
// - latency of every response, exactly (autocannon's histogram keeps whole milliseconds);
// - a response is successful when it is 2xx and its body is a JSON-RPC result: it names "result" and
//   holds no "error" member and no `"isError":true`; everything else is an error;
// - the X-Request-Id of every successful response (the gateway echoes it and stores it in the call
//   log), so S4 can check that each answered call has its row.
import autocannon from 'autocannon';
import { Samples } from './stats.mjs';

/** Placeholder autocannon replaces with a fresh id in each request (idReplacement). */
export const ID = '[<id>]';

export const isSuccessBody = (body) => body.includes('"result"') && !body.includes('"error"') && !body.includes('"isError":true');

let current = null;

/** Stops the run in progress (Ctrl-C); its promise still resolves with what was measured. */
export function stopLoad() {
  current?.stop();
}

/**
 * Resolves to { requests, successful, rps, latency: {p50,p90,p99,max,mean}, errors, errorBreakdown,
 * durationSeconds, successfulRequestIds? }.
 *
 * - url: full URL (path included).
 * - headers: request headers; `[<id>]` in a value is replaced per request.
 * - body: request body; `[<id>]` is replaced per request (use it as the JSON-RPC id).
 * - collectRequestIds: keep the X-Request-Id of each successful response.
 * - onTick: called about every second during the run (RSS sampling).
 */
export function runLoad({ url, connections, durationSeconds, headers, body, collectRequestIds = false, onTick, timeoutSeconds = 10 }) {
  const latencies = new Samples();
  let successful = 0;
  let bodyErrors = 0;
  const errorSamples = [];
  const requestIds = collectRequestIds ? [] : null;

  const onResponse = (status, responseBody, _context, responseHeaders) => {
    if (status >= 200 && status < 300 && isSuccessBody(responseBody)) {
      successful += 1;
      if (requestIds) {
        const id = responseHeaders['X-Request-Id'] ?? responseHeaders['x-request-id'];
        if (id) requestIds.push(String(id));
      }
      return;
    }
    if (status >= 200 && status < 300) bodyErrors += 1;
    if (errorSamples.length < 3) errorSamples.push({ status, body: String(responseBody).slice(0, 300) });
  };

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: durationSeconds,
        timeout: timeoutSeconds,
        headers,
        body,
        idReplacement: true,
        requests: [{ onResponse }],
        setupClient: (client) => client.on('response', (_status, _bytes, responseTime) => latencies.push(responseTime)),
      },
      (error, result) => {
        clearInterval(ticker);
        current = null;
        if (error) return reject(error);
        const [p50, p90, p99, max] = latencies.percentiles(50, 90, 99, 100);
        const connectionErrors = result.errors ?? 0;
        const errors = result.non2xx + bodyErrors + connectionErrors;
        const durationSecondsMeasured = result.duration;
        resolve({
          requests: result.requests.total,
          successful,
          rps: successful / durationSecondsMeasured,
          latency: { p50, p90, p99, max, mean: latencies.mean() },
          errors,
          errorBreakdown: { non2xx: result.non2xx, errorBody: bodyErrors, connection: connectionErrors, timeouts: result.timeouts ?? 0 },
          errorSamples,
          durationSeconds: durationSecondsMeasured,
          successfulRequestIds: requestIds,
        });
      },
    );
    current = instance;
    const ticker = setInterval(() => onTick?.(), 500);
  });
}
