// PostgreSQL clients that are not weft, against `weft serve --pg-listen`
// (issue 17, part 4); driven by tests/pgwire/run, which builds the workspace,
// grants grace five masked columns of customer.customers and a row-filtered
// sales.orders, and starts the server.
//
// node-postgres (`pg`, with `pg-cursor`) and porsager's `postgres` each:
// connect with grace's token as the password; introspect (version(),
// information_schema, pg_catalog: only what grace may read, as the REST API's
// /api/v1/query/schema lists it); run governed queries whose answers must
// equal `weft query --as grace` (hashed e-mails, the filtered orders: count
// and a digest of every row); are refused with SQLSTATE 42501 on a product
// grace is not granted; run prepared statements with parameters (the
// extended protocol: Parse/Bind/Describe/Execute/Sync), portals with row
// limits, cancel a long query (57014); are refused with 28P01 for a wrong
// password. A raw socket then sends malformed, oversize and half-finished
// messages: each connection is closed, and the server keeps serving.
//
// Each check prints "ok" or "FAILED" and the run goes on; exit 1 if any failed.
//
// Environment: WEFT (the binary), WEFT_WORKSPACE, WEFT_URL, WEFT_PG_PORT,
// WEFT_TOKEN_{GRACE,CAROL,ALICE,ADMIN}, WEFT_ARTIFACTS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import Cursor from 'pg-cursor';
import postgres from 'postgres';

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`clients.mjs: ${name} is not set (run tests/pgwire/run)`);
    process.exit(2);
  }
  return v;
};
const WEFT = need('WEFT');
const WS = need('WEFT_WORKSPACE');
const URL = need('WEFT_URL').replace(/\/$/, '');
const PORT = Number(need('WEFT_PG_PORT'));
const HOST = '127.0.0.1';
const TOKEN = {
  grace: need('WEFT_TOKEN_GRACE'),
  carol: need('WEFT_TOKEN_CAROL'),
  alice: need('WEFT_TOKEN_ALICE'),
};
const ARTIFACTS = need('WEFT_ARTIFACTS');
const GRACE = 'grace@retail.example';
const CAROL = 'carol@retail.example';
const ALICE = 'alice@retail.example';

// ---------------------------------------------------------------- helpers

let passed = 0;
let failed = 0;
// A client library's error that no check awaited (postgres rejects the
// promise of its connection's own type lookup, for one) is a failure, not
// a crash that would hide the checks after it.
process.on('unhandledRejection', (e) => {
  failed++;
  console.error(`FAILED  (an error no check awaited) ${e?.message ?? e}${e?.code ? ` (SQLSTATE ${e.code})` : ''}`);
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
async function check(name, fn, ms = 30000) {
  try {
    await withTimeout(Promise.resolve().then(fn), ms, name);
    passed++;
    console.log(`ok      ${name}`);
  } catch (e) {
    failed++;
    const detail = e.code ? `${e.message} (SQLSTATE ${e.code})` : e.message;
    console.error(`FAILED  ${name}: ${detail.split('\n').slice(0, 12).join('\n        ')}`);
  }
}

// `weft query --as WHO -o csv`: the answers every client must give. The
// queries below select text columns without commas or quotes; a quote in
// the CSV would make this split wrong, so it is refused.
function weftRows(sql, who = GRACE) {
  const out = execFileSync(WEFT, ['query', sql, '-o', 'csv', '--workspace', WS, '--as', who], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.ok(!out.includes('"'), `weft query's CSV for ${sql} holds quoted fields; this test cannot split it`);
  const lines = out.split('\n').filter((l) => l !== '');
  const header = lines.shift().split(',');
  return { header, rows: lines.map((l) => l.split(',')) };
}
const digest = (rows) => createHash('sha256').update(rows.map((r) => r.join(',')).join('\n')).digest('hex');
// A row of a client's answer as text, NULL as the empty string (as weft's CSV writes it).
const textRow = (r, cols) => cols.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c])));

// What grace may read, as the REST API lists it.
const schema = await (await fetch(`${URL}/api/v1/query/schema`, {
  headers: { Authorization: `Bearer ${TOKEN.grace}` },
})).json();
const relation = (name) =>
  schema.relations.find((r) => r.address === name) || schema.relations.find((r) => r.product === name && r.newest);
const readableAddresses = new Set();
for (const r of schema.relations) {
  readableAddresses.add(r.address);
  if (r.newest) readableAddresses.add(r.product);
}
const customersColumns = relation('customer.customers')?.columns.map((c) => c.name);
assert.ok(customersColumns, 'GET /api/v1/query/schema does not list customer.customers for grace: the setup is wrong');
assert.ok(!readableAddresses.has('marketing.campaigns'), 'the REST API says grace may read marketing.campaigns: the setup is wrong');

const ORDERS_SQL =
  "SELECT order_id, customer_id, strftime(order_ts, '%Y-%m-%d %H:%M:%S') AS order_ts, status, " +
  'CAST(amount AS VARCHAR) AS amount, currency, channel FROM sales.orders ORDER BY order_id';
const ORDERS_COLS = ['order_id', 'customer_id', 'order_ts', 'status', 'amount', 'currency', 'channel'];
const graceOrders = weftRows(ORDERS_SQL).rows;
const graceOrdersDigest = digest(graceOrders);
const graceEmails = weftRows('SELECT email FROM customer.customers ORDER BY customer_id').rows.map((r) => r[0]);
assert.ok(graceOrders.length > 100, 'grace sees 100 orders or fewer: the setup is wrong');
assert.ok(graceOrders.every((r) => r[6] === 'web'), "weft query shows grace orders outside channel = 'web'");
// An order grace may not see (carol owns sales), and a raw e-mail (alice owns customer).
const hiddenOrder = weftRows("SELECT order_id FROM sales.orders WHERE channel <> 'web' ORDER BY order_id LIMIT 1", CAROL)
  .rows[0][0];
const [rawEmail] = weftRows('SELECT email FROM customer.customers ORDER BY customer_id LIMIT 1', ALICE).rows[0];
assert.ok(rawEmail.includes('@'), 'alice does not see e-mails in clear: the setup is wrong');
const statuses = weftRows('SELECT DISTINCT status FROM sales.orders ORDER BY status').rows.map((r) => r[0]);
const countWhere = (where) => Number(weftRows(`SELECT count(*) AS n FROM sales.orders WHERE ${where}`).rows[0][0]);
writeFileSync(join(ARTIFACTS, 'clients-expected.json'), JSON.stringify({ graceOrdersDigest, rows: graceOrders.length, statuses }, null, 1));

// A query that runs for minutes (a cross product of grace's orders), to cancel.
const LONG_SQL =
  'SELECT count(*) AS n FROM sales.orders a CROSS JOIN sales.orders b CROSS JOIN sales.orders c ' +
  'WHERE a.amount + b.amount > c.amount';

const tables = (rows) => new Set(rows.map((r) => `${r.table_schema ?? r.nspname}.${r.table_name ?? r.relname}`));
function checkTables(set, via) {
  for (const t of ['customer.customers', 'sales.orders'])
    assert.ok(set.has(t), `${via} does not list ${t}, which grace may read (lists: ${[...set].join(', ')})`);
  assert.ok(!set.has('marketing.campaigns'), `${via} lists marketing.campaigns, which grace may not read`);
  for (const t of set) {
    if (/^(pg_catalog|information_schema)\./.test(t)) continue;
    assert.ok(readableAddresses.has(t), `${via} lists ${t}, which the REST API does not list for grace`);
  }
}

// ---------------------------------------------------------------- node-postgres (pg)

const pgConfig = (user = GRACE, password = TOKEN.grace) => ({
  host: HOST,
  port: PORT,
  user,
  password,
  database: 'weft',
  ssl: false,
  connectionTimeoutMillis: 10000,
});
async function pgConnect(cfg = pgConfig()) {
  const c = new pg.Client(cfg);
  c.on('error', () => {}); // a server-side close is reported by the next query
  await c.connect();
  return c;
}
let client;
await check('pg: connects with grace\'s token as the password; SELECT version() names PostgreSQL', async () => {
  client = await pgConnect();
  const { rows } = await client.query('SELECT version() AS v');
  assert.match(rows[0].v, /PostgreSQL \d+/);
});
if (!client) {
  console.error('FAILED  pg: no connection; the other pg checks cannot run');
  failed++;
} else {
  await check('pg: information_schema.tables lists only what grace may read', async () => {
    const { rows } = await client.query(
      'SELECT table_schema, table_name FROM information_schema.tables ORDER BY table_schema, table_name');
    checkTables(tables(rows), 'information_schema.tables');
  });
  await check('pg: information_schema.columns of customer.customers are exactly grace\'s readable columns', async () => {
    const { rows } = await client.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'customer' " +
        "AND table_name = 'customers' ORDER BY ordinal_position");
    assert.deepEqual(rows.map((r) => r.column_name), customersColumns);
  });
  await check('pg: information_schema.columns shows no column of marketing.campaigns', async () => {
    const { rows } = await client.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marketing' AND table_name = 'campaigns'");
    assert.equal(rows.length, 0, `columns shown: ${rows.map((r) => r.column_name).join(', ')}`);
  });
  await check('pg: pg_catalog.pg_class/pg_namespace list only what grace may read', async () => {
    const { rows } = await client.query(
      'SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        "WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')");
    checkTables(tables(rows), 'pg_class');
  });
  await check('pg: pg_catalog.pg_attribute of customer.customers is exactly grace\'s readable columns', async () => {
    const { rows } = await client.query(
      'SELECT a.attname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid ' +
        'JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        "WHERE n.nspname = 'customer' AND c.relname = 'customers' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
    assert.deepEqual(rows.map((r) => r.attname), customersColumns);
  });
  await check('pg: hashed e-mails equal weft query --as grace', async () => {
    const { rows } = await client.query('SELECT email FROM customer.customers ORDER BY customer_id');
    assert.deepEqual(rows.map((r) => r.email), graceEmails);
  });
  await check('pg: sales.orders through the row filter: count and digest of every row equal weft query\'s', async () => {
    const { rows: n } = await client.query('SELECT count(*) AS n FROM sales.orders');
    assert.equal(Number(n[0].n), graceOrders.length);
    const { rows } = await client.query(ORDERS_SQL);
    assert.equal(rows.length, graceOrders.length);
    assert.equal(digest(rows.map((r) => textRow(r, ORDERS_COLS))), graceOrdersDigest);
  });
  await check('pg: row descriptions carry PostgreSQL types (numeric, timestamp, text/varchar, bigint)', async () => {
    const r = await client.query('SELECT order_id, order_ts, amount FROM sales.orders LIMIT 1');
    const n = await client.query('SELECT count(*) AS n FROM sales.orders');
    const oid = Object.fromEntries([...r.fields, ...n.fields].map((f) => [f.name, f.dataTypeID]));
    assert.ok([25, 1043].includes(oid.order_id), `order_id has type oid ${oid.order_id}, not text (25) or varchar (1043)`);
    assert.equal(oid.order_ts, 1114, 'order_ts (TIMESTAMP) is not timestamp (1114)');
    assert.equal(oid.amount, 1700, 'amount (DECIMAL(12,2)) is not numeric (1700)');
    assert.equal(oid.n, 20, 'count(*) (BIGINT) is not int8 (20)');
  });
  await check('pg: marketing.campaigns is refused with SQLSTATE 42501, and the connection goes on', async () => {
    await assert.rejects(client.query('SELECT * FROM marketing.campaigns'), (e) => {
      assert.equal(e.code, '42501', `refused with ${e.code}: ${e.message}`);
      return true;
    });
    const { rows } = await client.query('SELECT count(*) AS n FROM sales.orders');
    assert.equal(Number(rows[0].n), graceOrders.length);
  });
  await check('pg: a column outside grace\'s grant (phone) is refused, and shows no phone number', async () => {
    await assert.rejects(client.query('SELECT phone FROM customer.customers'), (e) => {
      assert.ok(e.code, 'no SQLSTATE');
      assert.doesNotMatch(e.message, /\+[1-9][0-9]{6,}/);
      return true;
    });
  });
  await check('pg: parameters ({text, values}) go through the row filter and the masks', async () => {
    const mine = graceOrders[0];
    const q = 'SELECT order_id, CAST(amount AS VARCHAR) AS amount FROM sales.orders WHERE order_id = $1';
    const { rows } = await client.query({ text: q, values: [mine[0]] });
    assert.deepEqual(rows.map((r) => [r.order_id, r.amount]), [[mine[0], mine[4]]]);
    const hidden = await client.query({ text: q, values: [hiddenOrder] });
    assert.equal(hidden.rows.length, 0, `grace reads ${hiddenOrder}, outside her row filter`);
    const e = 'SELECT count(*) AS n FROM customer.customers WHERE email = $1';
    assert.equal(Number((await client.query(e, [rawEmail])).rows[0].n), 0, 'a raw e-mail matches: the mask is bypassed');
    assert.equal(Number((await client.query(e, [graceEmails[0]])).rows[0].n), 1, 'the hashed e-mail does not match');
    const over = await client.query({ text: 'SELECT count(*) AS n FROM sales.orders WHERE amount > $1', values: [100] });
    assert.equal(Number(over.rows[0].n), countWhere('amount > 100'));
  });
  await check('pg: a named prepared statement, executed with several values', async () => {
    for (const s of statuses) {
      const { rows } = await client.query({
        name: 'grace_orders_by_status',
        text: 'SELECT count(*) AS n FROM sales.orders WHERE status = $1',
        values: [s],
      });
      assert.equal(Number(rows[0].n), countWhere(`status = '${s}'`), `status ${s}`);
    }
  });
  await check('pg: pg-cursor reads the orders 100 rows at a time (portal row limits)', async () => {
    const cursor = client.query(new Cursor(ORDERS_SQL));
    const all = [];
    let first = true;
    for (;;) {
      const rows = await cursor.read(100);
      if (first) assert.equal(rows.length, Math.min(100, graceOrders.length), 'the first read is not 100 rows');
      first = false;
      assert.ok(rows.length <= 100, `a read of 100 got ${rows.length} rows`);
      if (rows.length === 0) break;
      all.push(...rows.map((r) => textRow(r, ORDERS_COLS)));
    }
    await cursor.close();
    assert.equal(all.length, graceOrders.length);
    assert.equal(digest(all), graceOrdersDigest);
  });
  await check('pg: a long query cancelled with a CancelRequest ends with 57014; the connection goes on', async () => {
    const started = Date.now();
    const running = client.query(LONG_SQL);
    running.catch(() => {});
    await sleep(1500);
    assert.ok(client.activeQuery, 'the long query already ended');
    new pg.Client(pgConfig()).cancel(client, client.activeQuery);
    await assert.rejects(running, (e) => {
      assert.equal(e.code, '57014', `ended with ${e.code}: ${e.message}`);
      return true;
    });
    const took = (Date.now() - started) / 1000;
    assert.ok(took < 15, `the cancelled query ended after ${took} s`);
    const { rows } = await client.query('SELECT count(*) AS n FROM sales.orders');
    assert.equal(Number(rows[0].n), graceOrders.length);
  }, 90000);
  await client.end().catch(() => {});
}
for (const [what, user, password] of [
  ['a wrong password', GRACE, `weft_00000000_${'0'.repeat(64)}`],
  ["carol's token for grace's name", GRACE, TOKEN.carol],
  ['an unknown user', 'nobody@retail.example', TOKEN.grace],
]) {
  await check(`pg: ${what} is refused with 28P01`, async () => {
    await assert.rejects(pgConnect(pgConfig(user, password)), (e) => {
      assert.equal(e.code, '28P01', `refused with ${e.code}: ${e.message}`);
      return true;
    });
  });
}

// ---------------------------------------------------------------- postgres (porsager)

const pgjs = (options = {}) =>
  postgres({
    host: HOST,
    port: PORT,
    user: GRACE,
    pass: TOKEN.grace,
    database: 'weft',
    ssl: false,
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
    ...options,
  });
let sql = pgjs();
let pgjsConnected = false;
await check('postgres: connects with its defaults (it reads pg_catalog.pg_type for array types first)', async () => {
  const [{ v }] = await sql`SELECT version() AS v`;
  assert.match(v, /PostgreSQL \d+/);
  pgjsConnected = true;
});
let pgjsOptions = {};
if (!pgjsConnected) {
  // Go on without the array-type lookup, so the other checks still say something.
  await sql.end({ timeout: 0 }).catch(() => {});
  pgjsOptions = { fetch_types: false };
  sql = pgjs(pgjsOptions);
}
// A check of `postgres` whose connection stopped answering leaves it stuck:
// the next check gets a new one.
const pgjsCheck = async (name, fn, ms = 20000) => {
  const before = failed;
  await check(name, fn, ms);
  if (failed > before) {
    await sql.end({ timeout: 0 }).catch(() => {});
    sql = pgjs(pgjsOptions);
  }
};
await pgjsCheck('postgres: information_schema.tables lists only what grace may read', async () => {
  const rows = await sql`SELECT table_schema, table_name FROM information_schema.tables`;
  checkTables(tables(rows), 'information_schema.tables');
});
await pgjsCheck('postgres: information_schema.columns of customer.customers (with parameters)', async () => {
  const rows = await sql`SELECT column_name FROM information_schema.columns
    WHERE table_schema = ${'customer'} AND table_name = ${'customers'} ORDER BY ordinal_position`;
  assert.deepEqual(rows.map((r) => r.column_name), customersColumns);
});
await pgjsCheck('postgres: hashed e-mails equal weft query --as grace', async () => {
  const rows = await sql`SELECT email FROM customer.customers ORDER BY customer_id`;
  assert.deepEqual(rows.map((r) => r.email), graceEmails);
});
await pgjsCheck('postgres: sales.orders through the row filter: count and digest equal weft query\'s', async () => {
  const [{ n }] = await sql`SELECT count(*) AS n FROM sales.orders`;
  assert.equal(Number(n), graceOrders.length);
  const rows = await sql.unsafe(ORDERS_SQL);
  assert.equal(digest(rows.map((r) => textRow(r, ORDERS_COLS))), graceOrdersDigest);
});
await pgjsCheck('postgres: the simple query protocol (.simple()) gives the same orders', async () => {
  const rows = await sql.unsafe(ORDERS_SQL).simple();
  assert.equal(digest(rows.map((r) => textRow(r, ORDERS_COLS))), graceOrdersDigest);
});
await pgjsCheck('postgres: marketing.campaigns is refused with SQLSTATE 42501', async () => {
  await assert.rejects(sql`SELECT * FROM marketing.campaigns`, (e) => {
    assert.equal(e.code, '42501', `refused with ${e.code}: ${e.message}`);
    return true;
  });
});
await pgjsCheck('postgres: a refused query with a parameter (Parse, Describe, Flush: the error must come before Sync) gets 42501', async () => {
  await assert.rejects(sql`SELECT * FROM marketing.campaigns WHERE campaign_id = ${'x'}`, (e) => {
    assert.equal(e.code, '42501', `refused with ${e.code}: ${e.message}`);
    return true;
  });
  const [{ n }] = await sql`SELECT count(*) AS n FROM sales.orders`;
  assert.equal(Number(n), graceOrders.length);
});
await pgjsCheck('postgres: tagged-template parameters go through the row filter and the masks', async () => {
  const mine = graceOrders[0];
  const byId = (id) => sql`SELECT order_id, CAST(amount AS VARCHAR) AS amount FROM sales.orders WHERE order_id = ${id}`;
  assert.deepEqual((await byId(mine[0])).map((r) => [r.order_id, r.amount]), [[mine[0], mine[4]]]);
  assert.equal((await byId(hiddenOrder)).length, 0, `grace reads ${hiddenOrder}, outside her row filter`);
  const [{ n }] = await sql`SELECT count(*) AS n FROM customer.customers WHERE email = ${rawEmail}`;
  assert.equal(Number(n), 0, 'a raw e-mail matches: the mask is bypassed');
  for (const s of statuses) {
    const [{ n: m }] = await sql`SELECT count(*) AS n FROM sales.orders WHERE status = ${s}`;
    assert.equal(Number(m), countWhere(`status = '${s}'`), `status ${s}`);
  }
});
await pgjsCheck('postgres: .describe() (Parse + Describe, no Execute) gives the parameter and the columns', async () => {
  const d = await sql`SELECT order_id, amount FROM sales.orders WHERE status = ${'x'}`.describe();
  assert.equal(d.types.length, 1, `parameter types: ${JSON.stringify(d.types)}`);
  assert.deepEqual(d.columns.map((c) => c.name), ['order_id', 'amount']);
});
await pgjsCheck('postgres: .cursor(100) reads the orders 100 rows at a time (portal row limits)', async () => {
  const all = [];
  let first = true;
  for await (const rows of sql.unsafe(ORDERS_SQL).cursor(100)) {
    if (first) assert.equal(rows.length, Math.min(100, graceOrders.length), 'the first batch is not 100 rows');
    first = false;
    assert.ok(rows.length <= 100, `a batch of 100 got ${rows.length} rows`);
    all.push(...rows.map((r) => textRow(r, ORDERS_COLS)));
  }
  assert.equal(all.length, graceOrders.length);
  assert.equal(digest(all), graceOrdersDigest);
});
await pgjsCheck('postgres: query.cancel() of a long query ends it with 57014; the connection goes on', async () => {
  const started = Date.now();
  const q = sql.unsafe(LONG_SQL);
  q.catch(() => {});
  q.execute();
  await sleep(1500);
  assert.ok(q.active, 'the long query is not running on the server (it ended, or was never sent)');
  await q.cancel();
  await assert.rejects(q, (e) => {
    assert.equal(e.code, '57014', `ended with ${e.code}: ${e.message}`);
    return true;
  });
  const took = (Date.now() - started) / 1000;
  assert.ok(took < 15, `the cancelled query ended after ${took} s`);
  const [{ n }] = await sql`SELECT count(*) AS n FROM sales.orders`;
  assert.equal(Number(n), graceOrders.length);
}, 90000);
await sql.end({ timeout: 5 }).catch(() => {});
await pgjsCheck('postgres: a wrong password is refused with 28P01', async () => {
  const bad = pgjs({ pass: `weft_00000000_${'0'.repeat(64)}` });
  try {
    await assert.rejects(bad`SELECT 1 AS x`, (e) => {
      assert.equal(e.code, '28P01', `refused with ${e.code}: ${e.message}`);
      return true;
    });
  } finally {
    await bad.end({ timeout: 1 }).catch(() => {});
  }
});

// ---------------------------------------------------------------- raw sockets

// Protocol 3.0 framing, for messages no client library would send.
const int32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const startup = (params) => {
  const body = Buffer.concat([
    int32(196608),
    ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)),
    Buffer.from('\0'),
  ]);
  return Buffer.concat([int32(body.length + 4), body]);
};
const message = (type, body) => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);

// Opens a socket; resolves { sock, data() (bytes so far), closed (a promise) }.
function rawConnect() {
  return new Promise((resolve, reject) => {
    const sock = net.connect(PORT, HOST);
    const chunks = [];
    const closed = new Promise((r) => sock.on('close', r));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => {});
    sock.once('connect', () => resolve({ sock, data: () => Buffer.concat(chunks), closed }));
    sock.once('error', reject);
  });
}
// Logs in over a raw socket (cleartext password) and waits for ReadyForQuery.
async function rawLogin() {
  const c = await rawConnect();
  c.sock.write(startup({ user: GRACE, database: 'weft' }));
  for (let i = 0; i < 100 && !c.data().includes(Buffer.from([0x52])); i++) await sleep(50);
  const d = c.data();
  assert.ok(d.length >= 9 && d[0] === 0x52, `no authentication request after the startup message: ${d.toString('latin1', 0, 40)}`);
  assert.equal(d.readInt32BE(5), 3, 'the server did not ask for a cleartext password');
  c.sock.write(message('p', Buffer.from(`${TOKEN.grace}\0`)));
  for (let i = 0; i < 100; i++) {
    const all = c.data();
    if (all.length >= 6 && all[all.length - 6] === 0x5a) return c; // 'Z' ReadyForQuery
    await sleep(50);
  }
  throw new Error('no ReadyForQuery after the password');
}
async function closedWithin(c, ms, what) {
  const t = await Promise.race([c.closed.then(() => 'closed'), sleep(ms).then(() => 'open')]);
  c.sock.destroy();
  assert.equal(t, 'closed', `the server kept the connection open ${ms / 1000} s after ${what}`);
}
async function stillServes() {
  const c = await pgConnect();
  try {
    const { rows } = await c.query('SELECT count(*) AS n FROM sales.orders');
    assert.equal(Number(rows[0].n), graceOrders.length);
  } finally {
    await c.end().catch(() => {});
  }
}

await check('raw: an HTTP request instead of a startup message: closed, the server goes on', async () => {
  const c = await rawConnect();
  c.sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await closedWithin(c, 5000, 'an HTTP request');
  await stillServes();
});
await check('raw: a startup message claiming 2 GiB: closed, the server goes on', async () => {
  const c = await rawConnect();
  c.sock.write(Buffer.concat([int32(0x7fffffff), int32(196608), Buffer.from('user\0')]));
  await closedWithin(c, 5000, 'an oversize startup length');
  await stillServes();
});
await check('raw: a startup message of length 3 (below its own header): closed', async () => {
  const c = await rawConnect();
  c.sock.write(int32(3));
  await closedWithin(c, 5000, 'a length below 4');
  await stillServes();
});
await check('raw: an unknown protocol version: closed', async () => {
  const c = await rawConnect();
  const body = Buffer.concat([int32(0x00090009), Buffer.from('user\0x\0\0')]);
  c.sock.write(Buffer.concat([int32(body.length + 4), body]));
  await closedWithin(c, 5000, 'protocol 9.9');
  await stillServes();
});
await check('raw: after login, a Query message claiming 1 GiB: closed, the server goes on', async () => {
  const c = await rawLogin();
  c.sock.write(Buffer.concat([Buffer.from('Q'), int32(0x40000000), Buffer.from('SELECT 1')]));
  await closedWithin(c, 5000, 'an oversize message');
  await stillServes();
});
await check('raw: after login, a message of an unknown type and a negative length: closed', async () => {
  const c = await rawLogin();
  c.sock.write(Buffer.concat([Buffer.from('!'), int32(-5)]));
  await closedWithin(c, 5000, 'a negative length');
  await stillServes();
});
await check('raw: after login, a Bind to a statement that does not exist is an error, not a crash', async () => {
  const c = await rawLogin();
  const before = c.data().length;
  const bind = Buffer.concat([Buffer.from('\0nosuch\0'), Buffer.from([0, 0, 0, 0, 0, 0])]);
  c.sock.write(Buffer.concat([message('B', bind), message('S', Buffer.alloc(0))]));
  for (let i = 0; i < 100 && c.data().length === before; i++) await sleep(50);
  const reply = c.data().subarray(before);
  assert.equal(String.fromCharCode(reply[0]), 'E', `the answer starts with '${String.fromCharCode(reply[0])}', not an ErrorResponse`);
  c.sock.destroy();
  await stillServes();
});
await check('raw: a half-sent startup message held open does not stop others; a half-open client after login neither', async () => {
  const half = await rawConnect();
  half.sock.write(startup({ user: GRACE, database: 'weft' }).subarray(0, 10));
  const idle = await rawLogin();
  idle.sock.write(Buffer.from('Q\0\0')); // three bytes of a header, then silence
  await stillServes();
  await stillServes();
  half.sock.destroy();
  idle.sock.destroy();
  await stillServes();
});

console.log(`pgwire clients: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
