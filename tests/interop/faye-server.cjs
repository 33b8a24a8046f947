// Faye 1.4.3 (npm faye), an independent Bayeux server with its own dialect, on 127.0.0.1,
// driven by the Rust interop tests over stdin/stdout, one JSON object per line. Same protocol
// as cometd-server.mjs:
//
// Prints:
//   {"event":"listening","port":N,"url":"http://127.0.0.1:N/cometd"}   once listening (port 0)
//   {"event":"subscribed","clientId":ID,"channel":CH}   a client subscribed
//   {"event":"removed","clientId":ID}                   a client ended (disconnect or expiry)
//   {"event":"published"}                               after each publish command
//   {"event":"forgotten","sessions":[ID...]}            after a forget command
// Reads:
//   {"cmd":"publish","data":{...}}   publish data on /v2/me/facebooksession
//   {"cmd":"forget"}                 destroy every client, as Faye does when one expires
// Env: TIMEOUT (s a /meta/connect is held, default 2).
const http = require('http');
const readline = require('readline');
const faye = require('faye');

const CHANNEL = '/v2/me/facebooksession';
const say = (event) => console.log(JSON.stringify(event));
const bayeux = new faye.NodeAdapter({ mount: '/cometd', timeout: Number(process.env.TIMEOUT || 2) });
const clients = new Set();
// Only subscribers are tracked: the in-process publisher below is a Faye client too, and
// must never be reported or forgotten.
bayeux.on('subscribe', (clientId, channel) => {
  clients.add(clientId);
  say({ event: 'subscribed', clientId, channel });
});
bayeux.on('disconnect', (clientId) => {
  if (clients.delete(clientId)) say({ event: 'removed', clientId });
});
const publisher = bayeux.getClient();

const forget = () => {
  const ids = [...clients];
  // Private API: the engine's own expiry path (Faye answers the client's next connect with
  // "401:<clientId>:Unknown client").
  for (const id of ids) bayeux._server._engine.destroyClient(id);
  return ids;
};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let command;
  try { command = JSON.parse(line); } catch { return say({ event: 'error', reason: 'not JSON: ' + line }); }
  if (command.cmd === 'publish') {
    publisher.publish(CHANNEL, command.data).then(
      () => say({ event: 'published' }),
      (error) => say({ event: 'error', reason: String(error && error.message) }),
    );
  } else if (command.cmd === 'forget') say({ event: 'forgotten', sessions: forget() });
  else say({ event: 'error', reason: 'unknown command ' + line });
});

const server = http.createServer((req, res) => { res.statusCode = 404; res.end(); });
bayeux.attach(server);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  say({ event: 'listening', port, url: `http://127.0.0.1:${port}/cometd` });
});
const stop = () => { server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
