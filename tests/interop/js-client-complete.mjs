// The official CometD JavaScript client against the gws-contract reference server:
// Basic-auth handshake, subscribe to /v2/me/facebooksession, then Complete the session given
// in SESSION over REST and print the notification that arrives.
//
// Env: BASE (http://127.0.0.1:PORT), SESSION (facebooksession id), USER, PASSWORD,
//      LP_ONLY=1 to unregister the WebSocket transport (otherwise the client must fall back).
import { adapt } from 'cometd-nodejs-client';
import { CometD } from 'cometd';

adapt();
const { BASE, SESSION, USER = 'agent1', PASSWORD = 'password' } = process.env;
const auth = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`, 'latin1').toString('base64');
const cometd = new CometD();
cometd.configure({ url: `${BASE}/api/v2/notifications`, requestHeaders: { Authorization: auth }, logLevel: 'warn' });
if (process.env.LP_ONLY) cometd.unregisterTransport('websocket');

const fail = (why) => { console.error(why); process.exit(2); };
const timer = setTimeout(() => fail('TIMEOUT: no notification'), 15000);
const failures = [];

cometd.addListener('/meta/handshake', (m) => { if (!m.successful) failures.push(m.failure && m.failure.connectionType); });
cometd.handshake((hs) => {
  if (!hs.successful) return; // the client retries (and falls back from websocket) by itself
  console.log(JSON.stringify({ event: 'handshake', transport: cometd.getTransport().type, failedTransports: failures }));
  cometd.subscribe('/v2/me/facebooksession', (msg) => {
    console.log(JSON.stringify({ event: 'notification', data: msg.data }));
    clearTimeout(timer);
    cometd.disconnect(() => process.exit(0));
  }, async (sub) => {
    if (!sub.successful) fail('subscribe failed: ' + JSON.stringify(sub));
    const res = await fetch(`${BASE}/api/v2/me/facebooksessions/${SESSION}`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ operationName: 'Complete', queueName: 'PostProcessingQueue' }),
    });
    console.log(JSON.stringify({ event: 'response', status: res.status, body: await res.json() }));
  });
});
