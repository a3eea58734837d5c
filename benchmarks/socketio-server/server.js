'use strict';
// Reference Socket.IO 4 server for Herald's benchmarks. It does what Herald does for the same
// traffic, no more: validates an HS256 token (sub, org) on connect, joins a room on `subscribe`
// (ack {channel}), and on POST /api/publish (X-API-Key) emits the publication to the room as an
// event named by its type, with the same argument object Herald's Socket.IO encoder writes.
// Loopback only. Configuration by environment: HOST, PORT, JWT_SECRET, API_KEY,
// PING_INTERVAL_MS, PING_TIMEOUT_MS.
const http = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 5090);
const secret = process.env.JWT_SECRET || 'herald-benchmark-secret-0123456789abcdef';
const apiKey = process.env.API_KEY || 'hk_bench_0123456789abcdef0123456789abcdef';
const pingInterval = Number(process.env.PING_INTERVAL_MS || 25000);
const pingTimeout = Number(process.env.PING_TIMEOUT_MS || 20000);
const maxBody = 65536;

if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
  throw new Error('the benchmark server binds to loopback only');
}

function base64url(buf) {
  return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Verifies an HS256 JWT; returns its claims or null. */
function verify(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== 'HS256') return null;
    const expected = base64url(crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest());
    const a = Buffer.from(expected);
    const b = Buffer.from(parts[2]);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
    if (!claims.sub || !claims.org) return null;
    return claims;
  } catch {
    return null;
  }
}

let published = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (req.method === 'GET' && req.url === '/stats') {
    const m = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      connections: io.engine.clientsCount, published, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external,
    }));
    return;
  }
  if (req.method === 'POST' && req.url === '/gc') {
    // The idle-memory scenario asks both servers for a full collection before reading memory.
    if (typeof global.gc !== 'function') { res.writeHead(501).end('start node with --expose-gc'); return; }
    global.gc();
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'POST' && req.url === '/api/publish') {
    if (req.headers['x-api-key'] !== apiKey) {
      res.writeHead(401).end();
      req.resume();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > maxBody) { res.writeHead(413).end(); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      let body;
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
      const { channel, type, data } = body || {};
      if (typeof channel !== 'string' || typeof type !== 'string' || data === undefined) { res.writeHead(400).end(); return; }
      const publication = {
        type, channel, data,
        timestamp: new Date().toISOString(),
        publicationId: crypto.randomUUID().replace(/-/g, ''),
      };
      io.to(channel).emit(type, publication);
      published++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: publication.publicationId, channel, type, timestamp: publication.timestamp }));
    });
    return;
  }
  // Everything under /socket.io/ is served by Socket.IO's own request listener.
  if (!req.url.startsWith('/socket.io/')) {
    res.writeHead(404).end();
  }
});

const io = new Server(server, {
  transports: ['websocket', 'polling'],
  pingInterval,
  pingTimeout,
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
  maxHttpBufferSize: maxBody,
});

io.use((socket, next) => {
  const claims = verify(socket.handshake.auth && socket.handshake.auth.token);
  if (!claims) return next(new Error('unauthorized'));
  socket.data.user = claims.sub;
  socket.data.org = claims.org;
  next();
});

io.on('connection', (socket) => {
  socket.on('subscribe', (payload, ack) => {
    const channel = payload && payload.channel;
    if (typeof channel !== 'string' || channel.length === 0 || channel.length > 255) {
      if (typeof ack === 'function') ack({ error: 'invalid channel' });
      return;
    }
    socket.join(channel);
    if (typeof ack === 'function') ack({ channel });
  });
  socket.on('unsubscribe', (payload, ack) => {
    const channel = payload && payload.channel;
    if (typeof channel === 'string') socket.leave(channel);
    if (typeof ack === 'function') ack({ channel });
  });
});

server.listen({ host, port, backlog: 4096 }, () => {
  console.log(`socket.io ${require('socket.io/package.json').version} benchmark server on http://${host}:${port} (node ${process.version}, pid ${process.pid})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { io.close(); server.close(); process.exit(0); });
}
