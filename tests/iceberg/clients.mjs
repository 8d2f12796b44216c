// Iceberg clients that are not weft, against `weft serve`'s REST catalog
// (issue 16, part 5); driven by tests/iceberg/run, which builds the
// workspace and starts the server.
//
// iceberg-js lists the namespaces and tables and loads them; icebird (over
// hyparquet) reads sales.orders and must see exactly the rows `weft query`
// returns for the same snapshot (count, sum(amount) and a digest of every
// row); server-side scan planning's files read with hyparquet give the same
// rows; a consumer with a masked grant gets only governed files (or a
// refusal) and cannot turn an owner's raw file URL into a working one; a
// snapshot rolled over by a newer publish and expired by gc is seen the same
// way by `weft query --at` and by icebird, before and after gc.
//
// Environment: WEFT (the binary), WEFT_WORKSPACE, WEFT_URL, WEFT_DATA (the
// generated CSVs), WEFT_SNAPSHOT_ORDERS (sales.orders' current weft snapshot),
// WEFT_TOKEN_{CAROL,ALICE,GRACE,ADMIN}, WEFT_ARTIFACTS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { avroMetadata, avroRead, icebergRead } from 'icebird';
import { asyncBufferFromUrl, cachedAsyncBuffer, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`clients.mjs: ${name} is not set (run tests/iceberg/run)`);
    process.exit(2);
  }
  return v;
};
const WEFT = need('WEFT');
const WS = need('WEFT_WORKSPACE');
const BASE = need('WEFT_URL').replace(/\/$/, '');
const REST = `${BASE}/iceberg`;
const DATA = need('WEFT_DATA');
const ORDERS_S1 = need('WEFT_SNAPSHOT_ORDERS');
const ARTIFACTS = process.env.WEFT_ARTIFACTS || 'artifacts';
const TOKENS = {
  carol: need('WEFT_TOKEN_CAROL'),
  alice: need('WEFT_TOKEN_ALICE'),
  grace: need('WEFT_TOKEN_GRACE'),
  admin: need('WEFT_TOKEN_ADMIN'),
};
const WHO = {
  carol: 'carol@retail.example',
  alice: 'alice@retail.example',
  grace: 'grace@retail.example',
  admin: 'admin@retail.example',
};
mkdirSync(ARTIFACTS, { recursive: true });
const REQUEST_LOG = join(ARTIFACTS, 'requests.log');
writeFileSync(REQUEST_LOG, '');

// ---------------------------------------------------------------- plumbing

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed += 1;
    const msg = err && err.message ? err.message : String(err);
    console.log(`FAIL ${name}: ${msg.split('\n').slice(0, 12).join('\n     ')}`);
  }
}

// Every HTTP request this script makes, for the artifacts (signatures cut).
const shortUrl = (url) => String(url).replace(/(\/iceberg\/files\/[^/]+\/\d+\/[0-9a-f]+\/)[0-9a-f]+\//, '$1…/');
async function logged(url, init = {}) {
  const res = await fetch(url, init);
  appendFileSync(REQUEST_LOG, `${init.method || 'GET'} ${shortUrl(url)}${init.headers && new Headers(init.headers).get('range') ? ` [${new Headers(init.headers).get('range')}]` : ''} -> ${res.status}\n`);
  return res;
}

// `weft ARGS --workspace WS --as WHO`: stdout, or an Error with stderr.
function weft(args, who) {
  try {
    return execFileSync(WEFT, [...args, '--workspace', WS, '--as', WHO[who]],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  } catch (err) {
    const said = `${(err.stderr || '').trim().slice(-600)} ${(err.stdout || '').trim().slice(-600)}`;
    const e = new Error(`weft ${args.join(' ')} (as ${who}) exited ${err.status ?? err.signal ?? err.code}: ${said}`);
    e.exitStatus = err.status;
    throw e;
  }
}
const weftRows = (sql, who, at) =>
  JSON.parse(weft(['query', sql, '-o', 'json', ...(at ? ['--at', at] : [])], who)).rows;

const catalog = (who) =>
  new IcebergRestCatalog({ baseUrl: REST, auth: { type: 'bearer', token: TOKENS[who] }, fetch: logged });

// A REST call outside iceberg-js (it has no scan planning and drops
// metadata-location): status, headers and the parsed JSON (or text). A
// string body is sent as it is (JSON text with exact 64-bit numbers).
async function rest(method, path, who, body) {
  const headers = {};
  if (who) headers.Authorization = `Bearer ${TOKENS[who]}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const sent = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
  const res = await logged(`${REST}/v1/${path}`, { method, headers, body: sent });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

// The REST spec's error model: {"error": {"message", "type", "code"}}.
function assertErrorModel(r, status, what) {
  assert.equal(r.status, status, `${what}: status ${r.status}, want ${status}: ${r.text.slice(0, 300)}`);
  assert.ok(r.json && r.json.error, `${what}: body is not the error model: ${r.text.slice(0, 300)}`);
  assert.equal(r.json.error.code, status, `${what}: error.code ${r.json.error.code}`);
  assert.ok(r.json.error.type && r.json.error.message, `${what}: error without type or message: ${r.text.slice(0, 300)}`);
  return r.json.error;
}

// ---------------------------------------------------- rows, compared by type

// One value in a form both sides agree on, by the column's Iceberg type:
// weft query's JSON gives text, icebird gives BigInt, Number, Date, string.
function canon(type, v) {
  if (v === null || v === undefined) return '\u2205';
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) {
    const scale = Number(decimal[2]);
    if (typeof v === 'string') {
      const [int, frac = ''] = v.split('.');
      return BigInt(int + frac.padEnd(scale, '0').slice(0, scale)).toString();
    }
    return BigInt(Math.round(Number(v) * 10 ** scale)).toString();
  }
  switch (type) {
    case 'int':
    case 'long':
      return BigInt(v).toString();
    case 'float':
    case 'double':
      return Number(v).toPrecision(12);
    case 'boolean':
      return String(v === true || v === 'true');
    case 'date':
      return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      if (v instanceof Date) return String(v.getTime());
      // "2024-11-16 11:26:00[.ffffff][+00[:00]]": UTC unless a zone is given.
      let s = String(v).replace(' ', 'T');
      const zone = /([+-]\d\d)(:?\d\d)?$/.exec(s);
      if (zone) s = s.slice(0, zone.index) + zone[1] + ':' + (zone[2] ? zone[2].replace(':', '') : '00');
      else s += 'Z';
      const ms = Date.parse(s);
      assert.ok(!Number.isNaN(ms), `cannot read timestamp '${v}'`);
      return String(ms);
    }
    default:
      return String(v);
  }
}

const fieldsOf = (metadata) => {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  assert.ok(schema, 'the metadata has no current schema');
  return schema.fields.map((f) => ({ name: f.name, type: typeof f.type === 'string' ? f.type : JSON.stringify(f.type) }));
};

// Count, digest of the sorted canonical rows, and the rows themselves.
function summarize(rows, fields) {
  const lines = rows.map((r) => fields.map((f) => canon(f.type, r[f.name])).join('\u0001')).sort();
  return { count: rows.length, digest: createHash('sha256').update(lines.join('\n')).digest('hex'), lines };
}

function assertSameRows(got, want, what) {
  if (got.count === want.count && got.digest === want.digest) return;
  const wantSet = new Set(want.lines);
  const gotSet = new Set(got.lines);
  const extra = got.lines.filter((l) => !wantSet.has(l)).slice(0, 3);
  const missing = want.lines.filter((l) => !gotSet.has(l)).slice(0, 3);
  assert.fail(`${what}: ${got.count} rows (digest ${got.digest.slice(0, 12)}) vs ${want.count} (digest ${want.digest.slice(0, 12)}); ` +
    `only in the Iceberg read: ${JSON.stringify(extra.map((l) => l.split('\u0001')))}; only in weft: ${JSON.stringify(missing.map((l) => l.split('\u0001')))}`);
}

// ------------------------------------------------------------ Iceberg files

async function fetchOk(url, what) {
  const res = await logged(url);
  if (!res.ok) throw new Error(`${what}: GET ${shortUrl(url)} -> ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res;
}

async function readAvro(url, what) {
  const buf = await (await fetchOk(url, what)).arrayBuffer();
  const reader = { view: new DataView(buf), offset: 0 };
  const { metadata, syncMarker } = avroMetadata(reader);
  return avroRead({ reader, metadata, syncMarker });
}

// Every URL a table's metadata leads to, per snapshot: manifest list,
// manifests, data files (fetched the way icebird fetches them).
async function walkTable(metadata) {
  const snapshots = [];
  for (const s of metadata.snapshots || []) {
    const manifests = await readAvro(s['manifest-list'], `manifest list of snapshot ${s['snapshot-id']}`);
    const dataFiles = [];
    for (const m of manifests) {
      for (const e of await readAvro(m.manifest_path, 'manifest')) {
        if (e.status !== 2) dataFiles.push(e.data_file);
      }
    }
    snapshots.push({ id: s['snapshot-id'], manifestList: s['manifest-list'], manifests: manifests.map((m) => m.manifest_path), dataFiles });
  }
  return snapshots;
}

async function readParquetUrl(url, byteLength) {
  const file = cachedAsyncBuffer(await asyncBufferFromUrl({ url, byteLength, fetch: logged }));
  const metadata = await parquetMetadataAsync(file);
  return parquetReadObjects({ file, metadata, compressors });
}

// icebird reading one snapshot (the current one, or `snapshotId`).
async function icebirdRead(metadata, snapshotId) {
  const m = snapshotId === undefined ? metadata : { ...metadata, 'current-snapshot-id': snapshotId };
  return icebergRead({ tableUrl: metadata.location, metadata: m });
}

const snapshotOf = (metadata, weftId) =>
  (metadata.snapshots || []).find((s) => s.summary && s.summary['weft.snapshot-id'] === weftId);

// Iceberg snapshot ids are 63-bit numbers, which JSON.parse rounds (icebird
// copes: it compares rounded with rounded). Planning needs them exact: the
// ids as digits, by weft snapshot id, from the load's JSON text.
async function exactSnapshotIds(ns, table, who) {
  const r = await rest('GET', `namespaces/${ns}/tables/${table}`, who);
  assert.equal(r.status, 200, `loading ${ns}.${table}: ${r.status} ${r.text.slice(0, 300)}`);
  const quoted = JSON.parse(r.text.replace(/("(?:snapshot-id|parent-snapshot-id|current-snapshot-id)"\s*:\s*)(\d+)/g, '$1"$2"'));
  return new Map(quoted.metadata.snapshots.map((s) => [s.summary['weft.snapshot-id'], s['snapshot-id']]));
}

// Scan planning (planTableScan, fetchPlanningResult, fetchScanTasks): the
// data files of one snapshot (its exact id as digits; default the current one).
async function planFiles(ns, table, who, exactSnapshotId) {
  const body = `{"case-sensitive": true${exactSnapshotId === undefined ? '' : `, "snapshot-id": ${exactSnapshotId}`}}`;
  let r = await rest('POST', `namespaces/${ns}/tables/${table}/plan`, who, body);
  if (r.status !== 200) return { refused: r };
  let result = r.json;
  for (let i = 0; result.status === 'submitted' && i < 100; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    r = await rest('GET', `namespaces/${ns}/tables/${table}/plan/${encodeURIComponent(result['plan-id'])}`, who);
    assert.equal(r.status, 200, `fetchPlanningResult: ${r.status} ${r.text.slice(0, 300)}`);
    result = r.json;
  }
  assert.equal(result.status, 'completed', `plan status ${result.status}: ${JSON.stringify(result).slice(0, 300)}`);
  const files = [...(result['file-scan-tasks'] || []).map((t) => t['data-file'])];
  const pending = [...(result['plan-tasks'] || [])];
  while (pending.length) {
    const task = pending.shift();
    const t = await rest('POST', `namespaces/${ns}/tables/${table}/tasks`, who, { 'plan-task': task });
    assert.equal(t.status, 200, `fetchScanTasks: ${t.status} ${t.text.slice(0, 300)}`);
    files.push(...(t.json['file-scan-tasks'] || []).map((x) => x['data-file']));
    pending.push(...(t.json['plan-tasks'] || []));
  }
  assert.deepEqual(files.filter((f) => f.content !== 'data'), [], 'scan tasks with delete files');
  return { files };
}

async function readPlannedRows(files) {
  const rows = [];
  for (const f of files) rows.push(...await readParquetUrl(f['file-path'], Number(f['file-size-in-bytes'])));
  return rows;
}

// ------------------------------------------------------------------- steps

const ordersSql = 'SELECT * FROM sales.orders';
let ordersMeta;
let ordersFields;

await step('GET /iceberg/v1/config answers an owner and refuses a missing or wrong token (401, error model)', async () => {
  const r = await rest('GET', 'config', 'carol');
  assert.equal(r.status, 200, `config: ${r.status} ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') || '', /application\/json/, 'config is not application/json (iceberg-js parses only that)');
  assert.equal(typeof r.json.defaults, 'object');
  assert.equal(typeof r.json.overrides, 'object');
  assert.equal(r.json.overrides.prefix, undefined, 'a prefix in overrides: iceberg-js never reads config and would miss it');
  assertErrorModel(await rest('GET', 'config'), 401, 'config without a token');
  const bad = await logged(`${REST}/v1/config`, { headers: { Authorization: `Bearer ${TOKENS.carol}x` } });
  assert.equal(bad.status, 401, `config with a wrong token: ${bad.status}`);
});

await step('iceberg-js lists the mesh: namespaces = domains, tables = products and product_v<major>', async () => {
  const cat = catalog('carol');
  const namespaces = (await cat.listNamespaces()).map((n) => n.namespace.join('.')).sort();
  const domains = JSON.parse(weft(['get', 'domains', '-o', 'json'], 'admin')).map((d) => d.name).sort();
  assert.deepEqual(namespaces, domains);
  const products = JSON.parse(weft(['get', 'products', '-o', 'json'], 'admin'));
  for (const ns of namespaces) {
    const tables = (await cat.listTables({ namespace: [ns] })).map((t) => {
      assert.deepEqual(t.namespace, [ns]);
      return t.name;
    }).sort();
    const want = products.filter((p) => p.domain === ns)
      .flatMap((p) => [p.name, ...p.versions.map((v) => `${p.name}_v${v.major}`)]).sort();
    assert.deepEqual(tables, [...new Set(want)], `tables of namespace ${ns}`);
  }
  const meta = await cat.loadNamespaceMetadata({ namespace: ['sales'] });
  assert.equal(typeof meta.properties, 'object');
});

await step('unknown names: HEAD gives false, GET the error model with 404 and the exception type', async () => {
  const cat = catalog('carol');
  assert.equal(await cat.tableExists({ namespace: ['sales'], name: 'orders' }), true);
  assert.equal(await cat.tableExists({ namespace: ['sales'], name: 'orders_v1' }), true);
  assert.equal(await cat.tableExists({ namespace: ['sales'], name: 'no_such_table' }), false);
  assert.equal(await cat.tableExists({ namespace: ['sales'], name: 'orders_v99' }), false);
  assert.equal(await cat.namespaceExists({ namespace: ['no_such_domain'] }), false);
  const t = assertErrorModel(await rest('GET', 'namespaces/sales/tables/no_such_table', 'carol'), 404, 'unknown table');
  assert.equal(t.type, 'NoSuchTableException');
  const n = assertErrorModel(await rest('GET', 'namespaces/no_such_domain/tables', 'carol'), 404, 'unknown namespace');
  assert.equal(n.type, 'NoSuchNamespaceException');
  await assert.rejects(cat.loadTable({ namespace: ['sales'], name: 'no_such_table' }),
    (e) => e instanceof IcebergError && e.status === 404 && e.icebergType === 'NoSuchTableException');
  // Decoded, the name is a path the catalog does not route: 404 or 406 (unsupported), never the file.
  const traversal = await rest('GET', 'namespaces/sales/tables/..%2F..%2Fweft.yaml', 'carol');
  assert.ok([400, 404, 406].includes(traversal.status), `a traversal as a table name: ${traversal.status}`);
  assertErrorModel(traversal, traversal.status, 'a traversal as a table name');
});

await step('writes are refused with the error model: producers publish through weft', async () => {
  const cat = catalog('carol');
  await assert.rejects(cat.createTable({ namespace: ['sales'] }, {
    name: 'sneaky', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'a', type: 'long', required: false }] },
  }), (e) => e instanceof IcebergError && e.status >= 400 && e.status < 500 && Boolean(e.icebergType));
  await assert.rejects(cat.dropTable({ namespace: ['sales'], name: 'orders' }), (e) => e instanceof IcebergError && e.status >= 400 && e.status < 500);
  await assert.rejects(cat.updateTable({ namespace: ['sales'], name: 'orders' }, { properties: { x: 'y' } }),
    (e) => e instanceof IcebergError && e.status >= 400 && e.status < 500);
  assert.equal(await cat.tableExists({ namespace: ['sales'], name: 'sneaky' }), false);
});

await step('iceberg-js loads sales.orders: v2 metadata whose current snapshot is weft\'s', async () => {
  ordersMeta = await catalog('carol').loadTable({ namespace: ['sales'], name: 'orders' });
  assert.equal(ordersMeta['format-version'], 2);
  const current = snapshotOf(ordersMeta, ORDERS_S1);
  assert.ok(current, `no snapshot with summary weft.snapshot-id ${ORDERS_S1}: ${JSON.stringify(ordersMeta.snapshots?.map((s) => s.summary)).slice(0, 400)}`);
  assert.equal(ordersMeta['current-snapshot-id'], current['snapshot-id']);
  ordersFields = fieldsOf(ordersMeta);
  const columns = JSON.parse(weft(['query', `${ordersSql} LIMIT 0`, '-o', 'json'], 'carol')).columns;
  assert.deepEqual(ordersFields.map((f) => f.name), columns);
  for (const s of ordersMeta.snapshots) assert.match(s['manifest-list'], /^https?:\/\//, 'a manifest list that is not an http(s) URL');
  const v1 = await catalog('carol').loadTable({ namespace: ['sales'], name: 'orders_v1' });
  assert.equal(v1['current-snapshot-id'], ordersMeta['current-snapshot-id'], 'orders and orders_v1 disagree');
  const raw = await rest('GET', 'namespaces/sales/tables/orders', 'carol');
  assert.match(raw.json['metadata-location'], /^https?:\/\//, 'metadata-location is not an http(s) URL');
  const byUrl = await (await fetchOk(raw.json['metadata-location'], 'metadata-location')).json();
  assert.equal(byUrl['current-snapshot-id'], raw.json.metadata['current-snapshot-id']);
});

await step('icebird reads sales.orders: the rows weft query returns (count, sum(amount), every row)', async () => {
  assert.ok(ordersMeta, 'no metadata (the load failed)');
  const rows = await icebirdRead(ordersMeta);
  const want = weftRows(ordersSql, 'carol');
  assertSameRows(summarize(rows, ordersFields), summarize(want, ordersFields), 'icebird vs weft query');
  const [agg] = weftRows('SELECT count(*) AS n, sum(amount) AS total FROM sales.orders', 'carol');
  const cents = rows.reduce((acc, r) => acc + BigInt(canon('decimal(38,2)', r.amount)), 0n);
  assert.equal(String(rows.length), String(agg.n));
  assert.equal(cents.toString(), canon('decimal(38,2)', String(agg.total)), 'sum(amount)');
  console.log(`     ${rows.length} rows, sum(amount) ${agg.total}, digest ${summarize(rows, ordersFields).digest.slice(0, 16)}`);
});

await step('scan planning: the planned files, read with hyparquet over signed URLs and Range requests, hold the same rows', async () => {
  assert.ok(ordersMeta, 'no metadata (the load failed)');
  const plan = await planFiles('sales', 'orders', 'carol', (await exactSnapshotIds('sales', 'orders', 'carol')).get(ORDERS_S1));
  assert.ok(!plan.refused, `the owner's plan was refused: ${plan.refused?.status} ${plan.refused?.text.slice(0, 300)}`);
  assert.ok(plan.files.length > 0, 'no files planned');
  const rows = await readPlannedRows(plan.files);
  assertSameRows(summarize(rows, ordersFields), summarize(weftRows(ordersSql, 'carol'), ordersFields), 'planned files vs weft query');
  const reqs = readFileSync(REQUEST_LOG, 'utf8');
  assert.match(reqs, /\[bytes=\d+-\d+\] -> 206/, 'no Range request was answered with 206');
});

// ------------------------------------------------------- governed access

// alice owns customer.customers; grace's grant hashes its PII (email) and
// her grant on sales.orders has a row filter. Neither may reach raw files.
let aliceWalk;

// Values of `column` the owner reads that `who` may not see: none of them
// may appear in any file `who` is given.
async function hiddenValues(ns, table, owner, who, column) {
  const meta = await catalog(owner).loadTable({ namespace: [ns], name: table });
  const fields = fieldsOf(meta);
  const rows = await icebirdRead(meta);
  const sql = `SELECT * FROM ${ns}.${table}`;
  assertSameRows(summarize(rows, fields), summarize(weftRows(sql, owner), fields), `${owner}: icebird vs weft query of ${ns}.${table}`);
  const visible = new Set(weftRows(`SELECT ${column} FROM ${ns}.${table}`, who).map((r) => r[column]));
  const hidden = new Set(rows.map((r) => r[column]).filter((v) => typeof v === 'string' && !visible.has(v)));
  assert.ok(hidden.size > 0, `${who} sees every ${column} of ${ns}.${table} in clear: the test setup is wrong`);
  return { meta, hidden };
}

// Every string anywhere in a Parquet file's rows.
const stringsOf = (rows) => rows.flatMap((r) => Object.values(r).filter((v) => typeof v === 'string'));

async function assertNoHidden(url, size, hidden, what) {
  const leaked = stringsOf(await readParquetUrl(url, size)).filter((v) => hidden.has(v));
  assert.deepEqual(leaked.slice(0, 3), [], `${what} given to grace holds values she may not see: ${shortUrl(url)}`);
}

// What grace gets for a table is a refusal or governed data equal to her
// weft query, and no file she is given holds a hidden value. Returns the
// URLs she was given.
async function graceSeesOnlyGoverned(ns, table, hidden) {
  const sql = `SELECT * FROM ${ns}.${table.replace(/_v\d+$/, '')}`;
  const given = [];
  const load = await rest('GET', `namespaces/${ns}/tables/${table}`, 'grace');
  if (load.status !== 200) {
    assertErrorModel(load, load.status, `grace loading ${ns}.${table}`);
    assert.ok([403, 404].includes(load.status), `grace loading ${ns}.${table}: ${load.status}`);
  } else {
    const meta = load.json.metadata;
    const fields = fieldsOf(meta);
    assertSameRows(summarize(await icebirdRead(meta), fields), summarize(weftRows(sql, 'grace'), fields),
      `grace's ${ns}.${table} vs her weft query`);
    given.push(load.json['metadata-location']);
    for (const s of await walkTable(meta)) {
      given.push(s.manifestList, ...s.manifests);
      for (const f of s.dataFiles) {
        given.push(f.file_path);
        await assertNoHidden(f.file_path, Number(f.file_size_in_bytes), hidden, 'a data file');
      }
    }
  }
  const plan = await planFiles(ns, table, 'grace');
  if (plan.refused) {
    assertErrorModel(plan.refused, plan.refused.status, `grace planning ${ns}.${table}`);
  } else {
    for (const f of plan.files) {
      given.push(f['file-path']);
      await assertNoHidden(f['file-path'], Number(f['file-size-in-bytes']), hidden, 'a planned file');
    }
  }
  return given.filter(Boolean);
}

const graceUrls = [];
await step('the masked consumer (grace) gets governed customer.customers or a refusal, never a raw value', async () => {
  const { meta, hidden } = await hiddenValues('customer', 'customers', 'alice', 'grace', 'email');
  aliceWalk = await walkTable(meta);
  graceUrls.push(...await graceSeesOnlyGoverned('customer', 'customers', hidden));
  graceUrls.push(...await graceSeesOnlyGoverned('customer', 'customers_v1', hidden));
});

// A signed URL's parts (service/file_signer.h):
// /iceberg/files/<table>/<expires>/<caller>/<signature>/<path>.
function signedParts(u) {
  const url = new URL(u);
  const m = /^\/iceberg\/files\/([^/]+)\/(\d+)\/([0-9a-f]+)\/([0-9a-f]+)\/(.+)$/.exec(url.pathname);
  assert.ok(m, `not a signed file URL: ${shortUrl(u)}`);
  const [, table, expires, caller, signature, path] = m;
  return { origin: url.origin, table, expires, caller, signature, path };
}
const signedUrl = (p) => `${p.origin}/iceberg/files/${p.table}/${p.expires}/${p.caller}/${p.signature}/${p.path}`;
const flip = (hex) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

await step('grace cannot turn the owner\'s raw URLs into working ones (her token, her tag or signature, tampered, re-dated, traversal)', async () => {
  assert.ok(aliceWalk, 'the owner\'s walk failed');
  const raw = aliceWalk.flatMap((s) => [s.manifestList, ...s.manifests, ...s.dataFiles.map((f) => f.file_path)]);
  const mine = graceUrls.filter((u) => new URL(u).pathname.startsWith('/iceberg/files/')).map(signedParts);
  const attempts = [];
  for (const u of raw) {
    const a = signedParts(u);
    const what = `${a.table}/${a.path}`;
    attempts.push([`${what} with grace's bearer token`, u, { Authorization: `Bearer ${TOKENS.grace}` }]);
    attempts.push([`${what} signature tampered`, signedUrl({ ...a, signature: flip(a.signature) }), {}]);
    attempts.push([`${what} expiry moved`, signedUrl({ ...a, expires: String(Number(a.expires) + 300) }), {}]);
    attempts.push([`${what} without its signature`, `${a.origin}/iceberg/files/${a.table}/${a.expires}/${a.caller}/${a.path}`, {}]);
    for (const trick of ['../../../../weft.yaml', '..%2F..%2F..%2F..%2Fweft.yaml', '%2e%2e/%2e%2e/%2e%2e/weft.yaml', 'metadata/../../../../../weft.yaml']) {
      attempts.push([`${what} path ${trick}`, `${a.origin}/iceberg/files/${a.table}/${a.expires}/${a.caller}/${a.signature}/${trick}`, {}]);
    }
    for (const g of mine) {
      attempts.push([`${what} with grace's caller tag`, signedUrl({ ...a, caller: g.caller }), {}]);
      attempts.push([`${what} with grace's expiry, tag and signature`, signedUrl({ ...a, expires: g.expires, caller: g.caller, signature: g.signature }), {}]);
      if (g.table !== a.table) attempts.push([`grace's ${g.table}/${g.path} moved to table ${a.table}`, signedUrl({ ...g, table: a.table }), {}]);
    }
  }
  assert.ok(mine.length > 0 || raw.length > 0, 'nothing to attack');
  const worked = [];
  for (const [what, url, headers] of attempts) {
    const res = await logged(url, { headers });
    const body = await res.text();
    if (res.ok || body.includes('apiVersion: weft/v1')) worked.push(`${what} -> ${res.status}`);
    else if (![400, 401, 403, 404].includes(res.status)) worked.push(`${what} -> unexpected ${res.status}`);
  }
  assert.deepEqual(worked.slice(0, 10), [], `${worked.length} of ${attempts.length} attempts were not refused`);
  // The owner's URLs themselves still work (the attempts were refused for what they changed).
  for (const u of raw.slice(0, 3)) assert.equal((await logged(u)).status, 200, `the owner's own URL fails: ${shortUrl(u)}`);
  console.log(`     ${attempts.length} attempts refused`);
});

await step('a caller with no grant is refused: loadTable, HEAD-then-load and planning give 403 and the error model', async () => {
  // grace holds no grant on marketing.campaigns; the catalog is public, its data is not.
  assert.equal(await catalog('grace').tableExists({ namespace: ['marketing'], name: 'campaigns' }), true);
  assertErrorModel(await rest('GET', 'namespaces/marketing/tables/campaigns', 'grace'), 403, 'grace loading marketing.campaigns');
  assertErrorModel(await rest('POST', 'namespaces/marketing/tables/campaigns/plan', 'grace', {}), 403, 'grace planning marketing.campaigns');
});

await step('every Iceberg load is metered like a query: weft usage counts grace\'s loads and refusals', async () => {
  const usage = (product, owner) => JSON.parse(weft(['usage', product, '-o', 'json'], owner));
  const loads = (u) => u.readers.filter((r) => r.reader.startsWith(WHO.grace)).reduce((n, r) => n + r.queries, 0);
  const before = usage('sales.orders', 'carol');
  const refusedBefore = usage('marketing.campaigns', 'admin').refused;
  assert.equal((await rest('GET', 'namespaces/sales/tables/orders', 'grace')).status, 200);
  assert.equal((await rest('GET', 'namespaces/marketing/tables/campaigns', 'grace')).status, 403);
  // Usage rows may be written in batches: wait for them a little.
  let after;
  let refusedAfter;
  for (let i = 0; i < 50; i++) {
    after = usage('sales.orders', 'carol');
    refusedAfter = usage('marketing.campaigns', 'admin').refused;
    if (loads(after) > loads(before) && refusedAfter > refusedBefore) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.ok(loads(after) > loads(before), `grace's reads of sales.orders stayed at ${loads(after)}`);
  assert.ok(refusedAfter > refusedBefore, `refused attempts on marketing.campaigns stayed at ${refusedAfter}`);
});

await step('a row filter also keeps grace off sales.orders\' raw files', async () => {
  const { hidden } = await hiddenValues('sales', 'orders', 'carol', 'grace', 'order_id');
  await graceSeesOnlyGoverned('sales', 'orders', hidden);
});

// ------------------------------------------------------------ time travel

await step('time travel: a snapshot rolled over by a newer publish and expired by gc, seen alike by weft --at and icebird', async () => {
  // S2: a replace-mode publish of the first 6,000 orders rolls S1 over
  // (the shrink guard refuses losing more than half the rows).
  const csv = readFileSync(join(DATA, 'sales', 'orders.csv'), 'utf8').split('\n');
  const smaller = join(ARTIFACTS, 'orders-6000.csv');
  writeFileSync(smaller, csv.slice(0, 6001).join('\n') + '\n');
  const out = weft(['publish', 'sales.orders', smaller], 'carol');
  const s2 = /snapshot (\S+)/.exec(out.split('\n').find((l) => l.startsWith('PUBLISHED')) || '')?.[1];
  assert.ok(s2, `no PUBLISHED line: ${out.slice(-400)}`);

  const before = await catalog('carol').loadTable({ namespace: ['sales'], name: 'orders' });
  const fields = fieldsOf(before);
  const snap1 = snapshotOf(before, ORDERS_S1);
  const snap2 = snapshotOf(before, s2);
  assert.ok(snap1 && snap2, `the metadata lacks S1 or S2: ${JSON.stringify(before.snapshots.map((s) => s.summary?.['weft.snapshot-id']))}`);
  assert.equal(before['current-snapshot-id'], snap2['snapshot-id'], 'the newer publish is not current');
  assertSameRows(summarize(await icebirdRead(before), fields), summarize(weftRows(ordersSql, 'carol'), fields), 'current (S2)');
  assertSameRows(summarize(await icebirdRead(before, snap1['snapshot-id']), fields),
    summarize(weftRows(ordersSql, 'carol', ORDERS_S1), fields), 'S1 by Iceberg snapshot id vs weft --at S1');
  const oldList = snap1['manifest-list'];
  const s1Exact = (await exactSnapshotIds('sales', 'orders', 'carol')).get(ORDERS_S1);
  const s1Plan = await planFiles('sales', 'orders', 'carol', s1Exact);
  assert.ok(!s1Plan.refused, `planning S1: ${s1Plan.refused?.status} ${s1Plan.refused?.text.slice(0, 300)}`);
  assertSameRows(summarize(await readPlannedRows(s1Plan.files), fields),
    summarize(weftRows(ordersSql, 'carol', ORDERS_S1), fields), 'S1 planned by snapshot id vs weft --at S1');

  // Retention of one snapshot: gc expires S1 (at once: --grace 0, as no
  // reader is still on it; by default gc waits until S2 is an hour old).
  const config = join(WS, 'weft.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^retention:\n(?:  .*\n)+/m, 'retention:\n  snapshots: 1\n'));
  weft(['gc', '--grace', '0'], 'admin');
  assert.throws(() => weftRows(ordersSql, 'carol', ORDERS_S1), /./, 'weft --at S1 still works after gc');

  const after = await catalog('carol').loadTable({ namespace: ['sales'], name: 'orders' });
  assert.equal(snapshotOf(after, ORDERS_S1), undefined, 'S1 is still in the Iceberg metadata after gc');
  assert.ok(!(after.snapshots || []).some((s) => s['snapshot-id'] === snap1['snapshot-id']), 'S1\'s Iceberg id is still listed');
  await assert.rejects(icebirdRead(after, snap1['snapshot-id']), /not found/, 'icebird still finds S1');
  const planGone = await planFiles('sales', 'orders', 'carol', s1Exact);
  assert.ok(planGone.refused && planGone.refused.status >= 400 && planGone.refused.status < 500,
    `planning the expired S1 answers ${planGone.refused?.status ?? 'files'}`);
  assertErrorModel(planGone.refused, planGone.refused.status, 'planning the expired S1');
  const gone = await logged(oldList);
  assert.ok([403, 404, 410].includes(gone.status), `S1's old manifest list URL answers ${gone.status} after gc`);
  assertSameRows(summarize(await icebirdRead(after), fields), summarize(weftRows(ordersSql, 'carol'), fields), 'current (S2) after gc');
});

console.log(`iceberg clients: ${passed} passed, ${failed} failed (requests in ${REQUEST_LOG})`);
process.exit(failed ? 1 : 0);
