#!/usr/bin/env node
// Today's ui/dist in front of a running `weft serve`, for UI work without
// rebuilding weft (whose embedded UI may be older). Serves /, /favicon.svg
// and /assets/* from ui/dist with the server's headers and forwards every
// other request, unchanged, to the real server.
//
//   node ui/dev/dist-proxy.mjs --proxy http://127.0.0.1:8080 [--port 8088]
import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { proxy: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!args.proxy) {
  console.error('usage: dist-proxy.mjs --proxy URL [--port N]');
  process.exit(2);
}
const UPSTREAM = new URL(args.proxy);
const DIST = new URL('../dist/', import.meta.url);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

// The files weft serve embeds; null for anything it would not serve from ui/dist.
function distFile(method, pathname) {
  if (method !== 'GET' && method !== 'HEAD') return null;
  if (pathname === '/') return 'index.html';
  if (pathname === '/favicon.svg' || /^\/assets\/[\w.-]+$/.test(pathname)) return pathname.slice(1);
  return null;
}

const server = createServer(async (req, res) => {
  const file = distFile(req.method, new URL(req.url, 'http://x').pathname);
  const data = file && (await readFile(new URL(file, DIST)).catch(() => null));
  if (data) {
    const index = file === 'index.html';
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
      'Cache-Control': index ? 'no-cache' : 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      ...(index && { 'Content-Security-Policy': CSP }),
    });
    return res.end(data);
  }
  const up = request(UPSTREAM, { method: req.method, path: req.url, headers: { ...req.headers, host: UPSTREAM.host } }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`dist-proxy: ${UPSTREAM.origin} did not answer: ${e.message}\n`);
  });
  req.pipe(up);
});
server.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`weft: serving http://127.0.0.1:${server.address().port} (ui/dist, everything else from ${UPSTREAM.origin})`);
});
process.on('SIGTERM', () => process.exit(0));
