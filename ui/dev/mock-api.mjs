#!/usr/bin/env node
// A stand-in for `weft serve`, for working on the UI without the C++ server:
// serves ui/dist and answers /api/v1 by running the weft CLI on a workspace.
// Development only; the real server is src/server. Tokens are "tok-PRINCIPAL"
// (e.g. tok-alice@retail.example); tok-admin is a platform admin.
//
//   node ui/dev/mock-api.mjs --weft build/weft --workspace /tmp/ws [--port 8088] [--admin root]
//
// With --proxy URL it serves ui/dist and forwards /api to a running
// `weft serve` instead: today's UI over a binary that embeds an older one.
//
//   node ui/dev/mock-api.mjs --proxy http://127.0.0.1:8080 [--port 8088]
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split(/\s*--/)
    .filter(Boolean)
    .map((kv) => kv.split(/\s+/)),
);
const WEFT = args.weft || 'build/weft';
const WS = args.workspace;
const PORT = Number(args.port || 0);
const ADMIN = args.admin || process.env.USER || 'root';
const PROXY = args.proxy ? new URL(args.proxy) : null;
const DIST = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist');
if (!WS && !PROXY) {
  console.error('usage: mock-api.mjs --weft BIN --workspace DIR [--port N] [--admin PRINCIPAL] | --proxy URL [--port N]');
  process.exit(2);
}

function weft(argv, as) {
  return new Promise((resolve) => {
    execFile(WEFT, [...argv, '--workspace', WS, '--as', as], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

class Problem extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function weftJson(argv, as) {
  const r = await weft(argv, as);
  if (r.code !== 0) {
    const msg = (r.stderr || r.stdout).trim();
    const status = /not found|no such|unknown product/i.test(msg) ? 404 : /denied|no grant|not allowed|may not|permission/i.test(msg) ? 403 : r.code === 2 ? 400 : 422;
    throw new Problem(status, msg);
  }
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { output: r.stdout };
  }
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
function problem(res, status, detail) {
  const titles = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Content', 500: 'Internal Server Error' };
  send(res, status, { type: 'about:blank', title: titles[status] || 'Error', status, detail }, 'application/problem+json');
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : {};
}

async function me(principal) {
  const domains = await weftJson(['get', 'domains', '-o', 'json'], ADMIN);
  const owned = domains.filter((d) => (d.owners || []).includes(principal)).map((d) => d.name);
  const roles = ['consumer'];
  if (owned.length) roles.push('owner');
  if (principal === ADMIN) roles.push('admin');
  return { principal, groups: owned.map((d) => `team:${d}`), roles, domains: owned };
}

async function product(id, p) {
  const d = await weftJson(['describe', 'product', id, '-o', 'json'], p);
  const hist = await weftJson(['history', id, '-o', 'json'], p).catch(() => null);
  const pubs = ((hist && hist.publishes) || []).filter((x) => x.snapshot);
  const last = pubs[pubs.length - 1];
  const age = last ? (Date.now() - new Date(last.startedAt).getTime()) / 1000 : null;
  let sla = null;
  for (const v of d.versions || []) for (const s of v.sla || []) if (s.property === 'latency' || s.property === 'freshness') sla = s.value * ({ h: 3600, m: 60, s: 1 }[s.unit] || 86400);
  d.freshness = { lastPublish: last ? last.startedAt : null, snapshot: last ? last.snapshot : null, rows: null, ageSeconds: age, slaSeconds: sla, state: age === null || sla === null ? 'unknown' : age <= sla ? 'fresh' : 'stale' };
  const probe = await weft(['query', `SELECT * FROM ${id} LIMIT 1`, '-o', 'json'], p);
  const owners = d.owners || [];
  const viewer = { canRead: probe.code === 0, isOwner: owners.includes(p) || p === ADMIN, columns: {} };
  if (probe.code === 0) {
    const row = (JSON.parse(probe.stdout).rows || [])[0] || {};
    const cols = (d.versions[0] && d.versions[0].columns) || [];
    for (const c of cols) viewer.columns[c.name] = !(c.name in row) ? 'hidden' : c.mask ? String(c.mask.kind || c.mask) : c.classification === 'pii' ? 'hash' : 'clear';
  } else viewer.reason = probe.stderr.trim();
  d.viewer = viewer;
  const list = await weftJson(['access', 'list', '-o', 'json'], ADMIN);
  d.consumers = (list.grants || []).filter((g) => g.product === id && g.state === 'active').map((g) => ({ grantee: g.grantee, columns: g.columns, purpose: g.purpose, expiresAt: g.expiresAt }));
  return d;
}

async function api(req, res, url, principal) {
  const path = url.pathname.replace(/^\/api\/v1/, '');
  const q = url.searchParams;
  const m = req.method;
  let r;
  if (m === 'GET' && path === '/me') return send(res, 200, await me(principal));
  if (m === 'GET' && path === '/domains') return send(res, 200, await weftJson(['get', 'domains', '-o', 'json'], principal));
  if (m === 'GET' && path === '/search') {
    const argv = ['search'];
    if (q.get('q')) argv.push(q.get('q'));
    for (const k of ['domain', 'tag', 'classification', 'status', 'limit']) if (q.get(k)) argv.push(`--${k}`, q.get(k));
    let out;
    if (q.get('q')) out = await weftJson([...argv, '-o', 'json'], principal);
    else {
      // The CLI needs a word; list everything instead.
      const all = await weftJson(['get', 'products', '-o', 'json'], principal);
      const hits = all
        .filter((p) => (!q.get('domain') || p.domain === q.get('domain')) && (!q.get('tag') || (p.tags || []).includes(q.get('tag'))) && (!q.get('status') || p.status === q.get('status')))
        .map((p) => ({ product: p.id, domain: p.domain, status: p.status, score: 0, snippet: p.description.slice(0, 90) + '…' }));
      const count = (f) => hits.reduce((a, h) => ((a[f(h)] = (a[f(h)] || 0) + 1), a), {});
      out = { hits, facets: { domain: count((h) => h.domain), status: count((h) => h.status), tag: {}, classification: {} } };
    }
    out.hits.forEach((h, i) => (h.quality = ['passing', 'warnings', 'failing'][i % 3]));
    out.facets.quality = out.hits.reduce((a, h) => ((a[h.quality] = (a[h.quality] || 0) + 1), a), {});
    if (q.get('quality')) out.hits = out.hits.filter((h) => h.quality === q.get('quality'));
    return send(res, 200, out);
  }
  let mm;
  if ((mm = path.match(/^\/products\/([^/]+)(\/[a-z]+)?$/)) && m === 'GET') {
    const id = decodeURIComponent(mm[1]);
    const sub = mm[2] || '';
    if (!sub) return send(res, 200, await product(id, principal));
    if (sub === '/sample') {
      r = await weft(['query', `SELECT * FROM ${id} LIMIT 20`, '-o', 'json'], principal);
      if (r.code !== 0) return problem(res, 403, r.stderr.trim());
      const d = JSON.parse(r.stdout);
      return send(res, 200, { columns: d.columns, rows: d.rows.map((row) => d.columns.map((c) => row[c])) });
    }
    if (sub === '/history') return send(res, 200, await weftJson(['history', id, '--rules', '-o', 'json'], principal));
    if (sub === '/usage') return send(res, 200, await weftJson(['usage', id, '-o', 'json'], principal));
    if (sub === '/lineage') {
      const dir = q.get('direction');
      const argv = ['lineage', id, '--columns', '-o', 'json'];
      if (dir === 'upstream' || dir === 'downstream') argv.push(`--${dir}`);
      return send(res, 200, await weftJson(argv, principal));
    }
  }
  if (path === '/access/requests' && m === 'GET') {
    const argv = ['access', 'list', '-o', 'json'];
    if (q.get('scope') === 'mine') argv.push('--mine');
    if (q.get('scope') === 'pending') argv.push('--pending');
    return send(res, 200, await weftJson(argv, principal));
  }
  if (path === '/grants' && m === 'GET') return send(res, 200, await weftJson(['access', 'list', '-o', 'json'], principal));
  if (path === '/access/requests' && m === 'POST') {
    const b = await body(req);
    const argv = ['access', 'request', b.product, '--purpose', b.purpose];
    if (b.columns && b.columns.length) argv.push('--columns', b.columns.join(','));
    if (b.until) argv.push('--until', b.until);
    r = await weft(argv, principal);
    if (r.code !== 0) return problem(res, 422, r.stderr.trim());
    return send(res, 201, { id: Number((r.stdout.match(/Request (\d+)/) || [])[1]), status: 'pending' });
  }
  if ((mm = path.match(/^\/access\/requests\/(\d+)\/(approve|deny)$/)) && m === 'POST') {
    const b = await body(req);
    const argv = ['access', mm[2], mm[1]];
    if (b.reason) argv.push('--reason', b.reason);
    if (mm[2] === 'approve' && b.rowFilter) argv.push('--row-filter', b.rowFilter);
    if (mm[2] === 'approve') for (const c of b.clearances || []) argv.push('--clearance', c);
    r = await weft(argv, principal);
    if (r.code !== 0) return problem(res, /may not|not an owner|approver/i.test(r.stderr) ? 403 : 422, r.stderr.trim());
    return send(res, 200, { id: Number(mm[1]), status: mm[2] === 'approve' ? 'approved' : 'denied', grant: Number((r.stdout.match(/[Gg]rant (\d+)/) || [])[1]) || null });
  }
  if ((mm = path.match(/^\/grants\/(\d+)$/)) && m === 'DELETE') {
    r = await weft(['access', 'revoke', mm[1]], principal);
    if (r.code !== 0) return problem(res, 403, r.stderr.trim());
    return send(res, 200, { id: Number(mm[1]), status: 'revoked' });
  }
  if (path === '/query' && m === 'POST') {
    const b = await body(req);
    const argv = ['query', b.sql, '-o', 'json'];
    if (b.at) argv.push('--at', b.at);
    r = await weft(argv, principal);
    if (r.code !== 0) return problem(res, /grant|access|denied/i.test(r.stderr) ? 403 : 400, r.stderr.trim());
    const d = JSON.parse(r.stdout);
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    res.write(JSON.stringify({ columns: d.columns }) + '\n');
    for (const row of d.rows) res.write(JSON.stringify(d.columns.map((c) => (row[c] === null || row[c] === undefined ? null : String(row[c])))) + '\n');
    res.end(JSON.stringify({ done: true, rows: d.rows.length, warnings: d.warnings || [], usage: { bytesScanned: 0, cost: 0 } }) + '\n');
    return undefined;
  }
  if (path === '/cost' && m === 'GET') {
    const argv = ['cost', '-o', 'json'];
    if (q.get('month')) argv.push('--month', q.get('month'));
    if (q.get('domain')) argv.push('--domain', q.get('domain'));
    return send(res, 200, await weftJson(argv, principal));
  }
  if (path === '/cost/monthly' && m === 'GET') {
    const now = await weftJson(['cost', '-o', 'json'], principal);
    const dom = q.get('domain');
    const cost = now.consumers.filter((c) => !dom || c.domain === dom).reduce((a, c) => a + c.cost, 0);
    const budget = dom ? (now.consumers.find((c) => c.domain === dom) || {}).budget ?? null : null;
    const months = [];
    const base = new Date(now.month + '-01T00:00:00Z');
    for (let i = 5; i >= 0; i--) {
      const d = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() - i, 1));
      months.push({ month: d.toISOString().slice(0, 7), cost: i === 0 ? cost : cost * (0.3 + 0.1 * i), budget });
    }
    return send(res, 200, { domain: dom || '', months });
  }
  if (path === '/policies' && m === 'GET') return send(res, 200, await weftJson(['get', 'policies', '-o', 'json'], principal));
  if (path === '/policies/violations' && m === 'GET')
    return send(res, 200, {
      violations: [
        { policy: 'names-are-snake-case', severity: 'error', subject: 'sales.orders', message: 'mock violation', waived: false },
        { policy: 'contract-owner-in-team', severity: 'warn', subject: 'marketing.leads', message: 'mock warning', waived: true },
      ],
    });
  if (path === '/waivers' && m === 'GET') return send(res, 200, await weftJson(['get', 'waivers', '-o', 'json'], principal));
  if (path === '/waivers' && m === 'POST') {
    const b = await body(req);
    r = await weft(['waiver', 'add', b.policy, b.subject, '--reason', b.reason, '--approver', principal, '--expires', b.expiresAt], principal);
    if (r.code !== 0) return problem(res, 422, r.stderr.trim());
    return send(res, 200, { output: r.stdout });
  }
  return problem(res, 404, `no route ${m} ${url.pathname}`);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  try {
    if (PROXY && (url.pathname.startsWith('/api/') || url.pathname === '/healthz')) {
      const upstream = httpRequest(
        { host: PROXY.hostname, port: PROXY.port, method: req.method, path: req.url, headers: { ...req.headers, host: PROXY.host } },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => problem(res, 502, `the weft server did not answer: ${e.message}`));
      req.pipe(upstream);
      return undefined;
    }
    if (url.pathname.startsWith('/api/v1/')) {
      const auth = req.headers.authorization || '';
      const m = auth.match(/^Bearer tok-(.+)$/);
      if (!m) return problem(res, 401, auth ? 'unknown token' : 'this route needs a token: Authorization: Bearer <token>');
      const principal = m[1] === 'admin' ? ADMIN : m[1];
      return await api(req, res, url, principal);
    }
    const rel = url.pathname === '/' ? '/index.html' : normalize(url.pathname);
    if (rel.includes('..')) return problem(res, 404, 'no');
    const data = await readFile(join(DIST, rel)).catch(() => null);
    if (!data) return problem(res, 404, `no route GET ${url.pathname}`);
    res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] || 'application/octet-stream', 'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'" });
    return res.end(data);
  } catch (e) {
    if (e instanceof Problem) return problem(res, e.status, e.message);
    console.error(e);
    return problem(res, 500, String(e && e.message));
  }
});
server.listen(PORT, '127.0.0.1', () => {
  console.log(`weft: serving http://127.0.0.1:${server.address().port} (${PROXY ? `ui/dist, API of ${PROXY.origin}` : `mock, workspace ${WS}`})`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
