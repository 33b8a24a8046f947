// Two official CometD JavaScript clients (agent1 and agent2, each with Basic auth and
// long-polling) against the gws-contract reference server: agent1 removes agent2 from the
// consultation in SESSION, and each client prints every notification it receives — the
// RemoveParticipantFromConference page's two sequences (3 for agent1, 4 for agent2).
//
// Env: BASE (http://127.0.0.1:PORT), SESSION (facebooksession id), TARGET_URI (agent2's URI).
import { adapt } from 'cometd-nodejs-client';
import { CometD } from 'cometd';

adapt();
const { BASE, SESSION, TARGET_URI } = process.env;
const expected = { agent1: 3, agent2: 4 };
const received = { agent1: [], agent2: [] };
const fail = (why) => { console.error(why); process.exit(2); };
const timer = setTimeout(() => fail('TIMEOUT: ' + JSON.stringify(received)), 15000);
const auth = (user) => 'Basic ' + Buffer.from(`${user}:password`, 'latin1').toString('base64');

function listen(user) {
  return new Promise((resolve) => {
    const cometd = new CometD();
    cometd.configure({ url: `${BASE}/api/v2/notifications`, requestHeaders: { Authorization: auth(user) }, logLevel: 'warn' });
    cometd.unregisterTransport('websocket');
    cometd.handshake((hs) => {
      if (!hs.successful) return;
      cometd.subscribe('/v2/me/facebooksession', (msg) => {
        received[user].push(msg.data);
        console.log(JSON.stringify({ event: 'notification', user, data: msg.data }));
        if (Object.keys(expected).every((u) => received[u].length >= expected[u])) {
          clearTimeout(timer);
          process.exit(0);
        }
      }, (sub) => (sub.successful ? resolve(cometd) : fail('subscribe failed: ' + JSON.stringify(sub))));
    });
  });
}

await Promise.all([listen('agent1'), listen('agent2')]);
const res = await fetch(`${BASE}/api/v2/me/facebooksessions/${SESSION}`, {
  method: 'POST',
  headers: { Authorization: auth('agent1'), 'Content-Type': 'application/json' },
  body: JSON.stringify({ operationName: 'RemoveParticipantFromConference', targetUri: TARGET_URI }),
});
console.log(JSON.stringify({ event: 'response', status: res.status, body: await res.json() }));
