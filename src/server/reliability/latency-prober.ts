/**
 * A client in its own process for fairness measurements: sends `GET URL` every `intervalMs`
 * without waiting for earlier answers and, when its parent sends `stop`, replies with the
 * latency (ms) of every answered request. Run with `fork(this file, [url, intervalMs])`.
 */
const [url = '', intervalText = '10'] = process.argv.slice(2);
const intervalMs = Number(intervalText);
const latencies: number[] = [];
let failures = 0;
const timer = setInterval(() => {
  const sent = performance.now();
  fetch(url)
    .then(async (response) => {
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
    })
    .catch(() => failures++);
}, intervalMs);
process.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  // Requests still unanswered count as failures only if they never come back: wait a little.
  setTimeout(() => {
    process.send?.({ latencies, failures }, undefined, {}, () => process.exit(0));
  }, 200);
});
process.send?.('ready');
