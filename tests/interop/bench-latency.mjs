// Latency bench (benches/run.sh): the official CometD JavaScript client, as one agent desktop,
// against `gws-contract serve`. Each round sets up a chatting Facebook session through the
// state hook, then times from sending Complete over REST to the StatusChange notification
// arriving on the client's long-poll, then tears the session down. The harness measures the
// same interval (a notification's `at_ms` from its step's request) on the same server.
//
// Env: BASE (http://127.0.0.1:PORT), ROUNDS (default 300), USER, PASSWORD.
// Prints one JSON line: {"rounds", "p50_ms", "p95_ms", "max_ms", "rounds_per_s"}.
import { adapt } from 'cometd-nodejs-client';
import { CometD } from 'cometd';

adapt();
const { BASE, USER = 'agent1', PASSWORD = 'password' } = process.env;
const ROUNDS = Number(process.env.ROUNDS || 300);
const WARMUP = 20;
const auth = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`, 'latin1').toString('base64');
const fail = (why) => { console.error(why); process.exit(2); };
setTimeout(() => fail('TIMEOUT: the bench did not finish in 120 s'), 120000).unref();

const hook = async (body) => {
  const res = await fetch(`${BASE}/contract/states`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (res.status !== 200) fail(`state hook: HTTP ${res.status}`);
  return res.json();
};

const cometd = new CometD();
cometd.configure({ url: `${BASE}/api/v2/notifications`, requestHeaders: { Authorization: auth }, logLevel: 'warn' });
cometd.unregisterTransport('websocket');

// Notifications resolve the round waiting for them, by session id.
const waiting = new Map();
await new Promise((resolve) => {
  cometd.handshake((hs) => {
    if (!hs.successful) return;
    cometd.subscribe('/v2/me/facebooksession', (msg) => {
      const id = msg.data && msg.data.facebooksession && msg.data.facebooksession.id;
      const round = waiting.get(id);
      if (round) { waiting.delete(id); round(performance.now()); }
    }, (sub) => (sub.successful ? resolve() : fail('subscribe failed: ' + JSON.stringify(sub))));
  });
});

const params = { agents: [USER], customer: 'VitaliyOnv', comment: 'Iamcrazyaboutmytest' };
const latencies = [];
const started = performance.now();
for (let round = 0; round < WARMUP + ROUNDS; round += 1) {
  const setup = await hook({ state: 'facebook session chatting', params, action: 'setup' });
  const arrived = new Promise((resolve) => waiting.set(setup.id, resolve));
  const sent = performance.now();
  const res = await fetch(`${BASE}/api/v2/me/facebooksessions/${setup.id}`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ operationName: 'Complete', queueName: 'PostProcessingQueue' }),
  });
  if (res.status !== 200) fail(`Complete: HTTP ${res.status}`);
  await res.arrayBuffer();
  const at = await arrived;
  if (round >= WARMUP) latencies.push(at - sent);
  await hook({ state: 'facebook session chatting', params, action: 'teardown', setup });
}
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const rank = (p) => latencies[Math.max(0, Math.ceil((latencies.length * p) / 100) - 1)];
console.log(JSON.stringify({
  rounds: latencies.length,
  p50_ms: rank(50),
  p95_ms: rank(95),
  max_ms: latencies[latencies.length - 1],
  rounds_per_s: (WARMUP + ROUNDS) / elapsed,
}));
cometd.disconnect(() => process.exit(0));
