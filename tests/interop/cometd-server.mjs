// The official CometD Node server (npm cometd-nodejs-server 1.2.1) on 127.0.0.1, driven by the
// Rust interop tests over stdin/stdout, one JSON object per line.
//
// Prints:
//   {"event":"listening","port":N,"url":"http://127.0.0.1:N/cometd"}   once listening (port 0)
//   {"event":"subscribed","clientId":ID,"channel":CH}   a session subscribed
//   {"event":"removed","clientId":ID,"timeout":BOOL}    a session ended (disconnect or expiry)
//   {"event":"published","subscribers":N}               after each publish command
//   {"event":"forgotten","sessions":[ID...]}            after a forget command
// Reads:
//   {"cmd":"publish","data":{...}}   publish data on /v2/me/facebooksession, sent by the server
//   {"cmd":"forget"}                 drop every session as if it had expired
// Env: TIMEOUT (ms a /meta/connect is held, default 2000), PUBLISH_EVERY (ms; also publish
//      {"seq":n} on a schedule when set).
import http from 'node:http';
import readline from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createCometDServer } = require('cometd-nodejs-server');

const CHANNEL = '/v2/me/facebooksession';
const say = (event) => console.log(JSON.stringify(event));
const cometd = createCometDServer({ timeout: Number(process.env.TIMEOUT || 2000), logLevel: 'info' });
const sessions = new Map();
cometd.addListener('sessionAdded', (session) => sessions.set(session.id, session));
cometd.addListener('sessionRemoved', (session, timeout) => {
  sessions.delete(session.id);
  say({ event: 'removed', clientId: session.id, timeout: Boolean(timeout) });
});
cometd.addListener('subscribed', (channel, session) => say({ event: 'subscribed', clientId: session.id, channel: channel.name }));

// A ServerChannel without subscribers is swept, so look it up again at every publish.
const publish = (data) => {
  const channel = cometd.createServerChannel(CHANNEL);
  const subscribers = channel.subscribers.length;
  channel.publish(null, data);
  return subscribers;
};

const forget = () => {
  const ids = [...sessions.keys()];
  for (const session of [...sessions.values()]) {
    // Private API: what the server's own sweeper does to an expired session. Then release a
    // held /meta/connect so the client's next connect finds the session gone.
    cometd._removeServerSession(session, true);
    if (session._scheduler) session._scheduler.resume();
  }
  return ids;
};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let command;
  try { command = JSON.parse(line); } catch { return say({ event: 'error', reason: 'not JSON: ' + line }); }
  if (command.cmd === 'publish') say({ event: 'published', subscribers: publish(command.data) });
  else if (command.cmd === 'forget') say({ event: 'forgotten', sessions: forget() });
  else say({ event: 'error', reason: 'unknown command ' + line });
});

if (process.env.PUBLISH_EVERY) {
  let seq = 0;
  setInterval(() => publish({ seq: ++seq }), Number(process.env.PUBLISH_EVERY));
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/cometd')) return cometd.handle(req, res);
  res.statusCode = 404;
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  say({ event: 'listening', port, url: `http://127.0.0.1:${port}/cometd` });
});
const stop = () => { cometd.close(); server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
