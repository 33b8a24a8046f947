// Agent desktops as a test drives them: one official CometD JavaScript client per agent
// (Basic auth, long-polling), each logged in first the way GWS clients do (GET /api/v2/me
// for the JSESSIONID cookie and the CSRF token), then subscribed to /v2/me/facebooksession.
// Commands arrive as JSON lines on stdin; events leave as JSON lines on stdout:
//   {"op":"post","user":"agent1","path":"/api/v2/...","body":{...}}  -> {"event":"response",...}
//   {"op":"quit"}                                                      -> {"event":"bye"}
// Events: {"event":"login","user","cookie","csrf"} (what must never be written anywhere),
// {"event":"ready"} once every agent is subscribed, {"event":"notification","user","data"}.
//
// Env: BASE (http://127.0.0.1:PORT), USERS ("agent1:pw1,agent2:pw2").
import { createInterface } from 'node:readline';
import { adapt } from 'cometd-nodejs-client';
import { CometD } from 'cometd';

adapt();
const { BASE, USERS } = process.env;
const emit = (event) => console.log(JSON.stringify(event));
const fail = (why) => { console.error(why); process.exit(2); };
const agents = {};

async function login(user, password) {
  const auth = 'Basic ' + Buffer.from(`${user}:${password}`, 'latin1').toString('base64');
  const res = await fetch(`${BASE}/api/v2/me`, { headers: { Authorization: auth } });
  if (res.status !== 200) fail(`login ${user}: HTTP ${res.status}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  const csrfHeader = res.headers.get('x-csrf-header');
  const csrf = res.headers.get('x-csrf-token');
  emit({ event: 'login', user, cookie, csrf });
  return { auth, cookie, csrfHeader, csrf };
}

function listen(user, session) {
  return new Promise((resolve) => {
    const cometd = new CometD();
    cometd.configure({ url: `${BASE}/api/v2/notifications`, requestHeaders: { Authorization: session.auth }, logLevel: 'warn' });
    cometd.unregisterTransport('websocket');
    cometd.handshake((hs) => {
      if (!hs.successful) return;
      cometd.subscribe('/v2/me/facebooksession', (msg) => emit({ event: 'notification', user, data: msg.data }),
        (sub) => (sub.successful ? resolve(cometd) : fail('subscribe failed: ' + JSON.stringify(sub))));
    });
  });
}

for (const pair of USERS.split(',')) {
  const [user, password] = pair.split(':');
  const session = await login(user, password);
  session.cometd = await listen(user, session);
  agents[user] = session;
}
emit({ event: 'ready' });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  if (command.op === 'post') {
    const agent = agents[command.user];
    const headers = { Authorization: agent.auth, 'Content-Type': 'application/json' };
    if (agent.cookie) headers.Cookie = agent.cookie;
    if (agent.csrfHeader && agent.csrf) headers[agent.csrfHeader] = agent.csrf;
    const res = await fetch(`${BASE}${command.path}`, { method: 'POST', headers, body: JSON.stringify(command.body) });
    emit({ event: 'response', user: command.user, status: res.status, body: await res.json() });
  } else if (command.op === 'quit') {
    await Promise.all(Object.values(agents).map((a) => new Promise((resolve) => a.cometd.disconnect(resolve))));
    emit({ event: 'bye' });
    process.exit(0);
  }
}
