// The app of app/app.mjs, served from another origin than faultline's, in
// headless Chromium: every link of it, and every error family arriving in
// the page as CombinedGraphQLErrors with its code, type and status, with
// X-Request-ID and Retry-After read from the response headers. Every request
// that leaves 127.0.0.1 is refused.
//
// e2e/browser_test.go builds the app (APP_DIR), picks the app's origin
// (APP_ADDR, the one faultline allows) and another (OTHER_ADDR), and starts
// the servers: FAULTLINE_URL (4 KiB bodies, batches of 5), LIMITED_URL (2
// requests a second), DRAINING_URL (a 10 s drain), TRUSTED_URL (the app's
// manifest only), and CONTROL_URL, which drains and breaks things on request.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { after, before, beforeEach, test } from "node:test";

import { chromium } from "playwright-core";

import { serve } from "./serve.mjs";

const env = (name) => {
  assert.ok(process.env[name], `${name} is set`);
  return process.env[name];
};
const api = (base) => new URL("/query", base).href;
const uri = api(env("FAULTLINE_URL"));
const secret = env("FAULTLINE_JWT_SECRET");
const password = env("FAULTLINE_DEMO_PASSWORD");
const appOrigin = `http://${env("APP_ADDR")}`;
const otherOrigin = `http://${env("OTHER_ADDR")}`;
const control = env("CONTROL_URL");

let browser, context, page, user, statics, closedPort;
const refused = []; // requests for anywhere but 127.0.0.1 (none got out)
const pageErrors = [];

// graphql posts from Node (no Origin: not a browser) to set things up.
async function graphql(query, variables, token) {
  const res = await fetch(uri, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

async function login(email) {
  const { login } = await graphql(
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }",
    { e: email, p: password });
  return login;
}

// closedLoopbackPort is 127.0.0.1:PORT with nothing listening on it.
async function closedLoopbackPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

// forgeExpired signs an expired access token with the server's secret.
function forgeExpired(userID) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: "HS256", typ: "at+jwt" });
  const body = b64({ iss: "faultline", aud: "faultline", sub: userID, role: "USER", iat: now - 7200, exp: now - 3600, jti: randomUUID() });
  return `${head}.${body}.${createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url")}`;
}

// logs returns a server's request log lines that match, once there are
// want of them (faultline writes its log out every 100 ms).
async function logs(server, match, want) {
  for (let deadline = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 50))) {
    const res = await fetch(`${control}/logs?server=${server}`);
    assert.equal(res.status, 200);
    const lines = (await res.json()).filter((l) => l.msg === "graphql" && match(l));
    if (lines.length >= want || Date.now() > deadline) return lines;
  }
}

// logsOf returns the main server's log lines of the requests the page sent, in order.
async function logsOf(sent) {
  const ids = sent.map((r) => r.requestId);
  const lines = await logs("main", (l) => ids.includes(l.request_id), ids.length);
  return ids.map((id) => lines.find((l) => l.request_id === id));
}

async function open(origin) {
  const p = await context.newPage();
  p.on("pageerror", (e) => pageErrors.push(String(e)));
  await p.goto(`${origin}/?api=${encodeURIComponent(uri)}`);
  await p.waitForFunction(() => window.app);
  return p;
}

// In the page: run one operation, or several at once through one client.
const run = (args, p = page) => p.evaluate((a) => window.app.run(a), { uri, ...args });
const runTogether = (args) => page.evaluate((a) => window.app.runTogether(a), { uri, ...args });
const wire = (p = page) => p.evaluate(() => window.app.wire);
const notices = () => page.evaluate(() => window.app.notices);

// assertTyped checks one error as the page got it, and that the page read
// the same request id from the X-Request-ID header.
function assertTyped(e, [code, type, status], sent) {
  assert.equal(e.code, code, JSON.stringify(e));
  assert.equal(e.type, type);
  assert.equal(e.status, status);
  assert.match(e.requestId, /^[0-9a-f]{16}$/);
  if (sent) assert.equal(sent.requestId, e.requestId, "X-Request-ID is readable and names the request");
}

before(async () => {
  const dir = env("APP_DIR");
  closedPort = await closedLoopbackPort();
  statics = await Promise.all([serve(dir, env("APP_ADDR")), serve(dir, env("OTHER_ADDR"))]);
  user = await login("user@faultline.dev");
  // Nothing may leave 127.0.0.1, and the browser must meet faultline's own
  // preflights: a context.route would answer every preflight itself
  // (Playwright fulfils intercepted OPTIONS with allow-everything headers), so
  // instead every other host goes to a proxy on a closed loopback port (the
  // browser never proxies loopback) and resolves to nothing.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync",
      `--proxy-server=http://${closedPort}`, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  });
  context = await browser.newContext();
  context.on("request", (r) => {
    const url = new URL(r.url());
    if (url.hostname !== "127.0.0.1" && url.protocol !== "data:") refused.push(url.href);
  });
  page = await open(appOrigin);
});

beforeEach(async () => {
  await page.evaluate(() => window.app.reset());
});

after(async () => {
  await browser?.close();
  for (const s of statics ?? []) s.close();
});

test("HttpLink: the page on another origin renders the catalog", async () => {
  assert.match(await page.evaluate(() => window.app.rendered), /^5 products$/);
  assert.equal(await page.locator("#products li").count(), 5);
  const { data } = await run({ query: "query Mine { me { email } }", accessToken: user.accessToken });
  assert.equal(data.me.email, "user@faultline.dev");
  const [sent] = await wire();
  assert.equal(sent.method, "POST");
  assert.equal(sent.status, 200);
  assert.match(sent.requestId, /^[0-9a-f]{16}$/, "X-Request-ID is exposed to the app");
});

test("PersistedQueryLink over POST: NOT_FOUND once, the link resends with the document, then the hash only", async () => {
  const query = "query Catalog($first: Int!) { products(first: $first) { edges { node { id name } } } }";
  const first = await run({ transport: "persisted", query, variables: { first: 3 } });
  assert.equal(first.data.products.edges.length, 3);
  const second = await run({ transport: "persisted", query, variables: { first: 2 } });
  assert.equal(second.data.products.edges.length, 2);

  const sent = (await wire()).map((r) => ({ method: r.method, status: r.status, body: JSON.parse(r.body) }));
  assert.equal(sent.length, 3, "hash, hash + document, then hash");
  const hash = sent[0].body.extensions.persistedQuery.sha256Hash;
  assert.equal(hash, await page.evaluate((q) => window.app.sha256(q), sent[1].body.query), "crypto.subtle's SHA-256 of the document");
  assert.deepEqual(sent.map((r) => [r.method, r.status, "query" in r.body]), [["POST", 404, false], ["POST", 200, true], ["POST", 200, false]]);
  for (const r of sent) assert.equal(r.body.extensions.persistedQuery.sha256Hash, hash);

  const lines = await logsOf(await wire());
  assert.deepEqual(lines.map((l) => [l?.method, l?.status, l?.errors ?? ""]),
    [["POST", 404, "PERSISTED_QUERY_NOT_FOUND/PERSISTED_QUERY_NOT_FOUND"], ["POST", 200, ""], ["POST", 200, ""]]);
});

test("PersistedQueryLink with useGETForHashedQueries: the hash over GET, the document over POST once", async () => {
  const query = "query Item($id: ID!) { product(id: $id) { id name priceCents } }";
  const { products } = await graphql("{ products(first: 1) { edges { node { id name } } } }");
  const { id, name } = products.edges[0].node;
  for (let i = 0; i < 3; i++) {
    const { data, errors } = await run({ transport: "persisted-get", query, variables: { id } });
    assert.equal(errors, undefined);
    assert.equal(data.product.name, name);
  }
  const sent = await wire();
  assert.deepEqual(sent.map((r) => [r.method, r.status]), [["GET", 404], ["POST", 200], ["GET", 200], ["GET", 200]]);
  for (const r of sent.filter((r) => r.method === "GET")) {
    const url = new URL(r.url);
    assert.equal(url.searchParams.get("query"), null, `hash only: ${r.url}`);
    assert.equal(JSON.parse(url.searchParams.get("extensions")).persistedQuery.version, 1);
  }
  const lines = await logsOf(sent);
  assert.deepEqual(lines.map((l) => [l?.method, l?.status, l?.operation]), [["GET", 404, "Item"], ["POST", 200, "Item"], ["GET", 200, "Item"], ["GET", 200, "Item"]],
    "the server ran the hash-only GETs, and logged the miss under the name the link sent");
});

test("BatchHttpLink: four operations in one request, each with its own result or typed error", async () => {
  const results = await runTogether({
    transport: "batch",
    operations: [
      { query: "query First { products(first: 1) { edges { node { id } } } }" },
      { query: "query Missing { product(id: \"nope\") { id } }" },
      { query: "query Anonymous { me { id } }" },
      { query: "query Typo { products { edges { nod } } }" },
    ],
  });
  const sent = await wire();
  assert.equal(sent.length, 1, "one request");
  assert.equal(JSON.parse(sent[0].body).length, 4, "a JSON array of four operations");
  assert.match(sent[0].requestId, /^[0-9a-f]{16}$/);

  assert.equal(results[0].data.products.edges.length, 1);
  assert.equal(results[0].errors, undefined);
  assertTyped(results[1].errors[0], ["NOT_FOUND", "RESOURCE_NOT_FOUND", 404]);
  assertTyped(results[2].errors[0], ["UNAUTHENTICATED", "TOKEN_MISSING", 401]);
  assertTyped(results[3].errors[0], ["GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422]);
  for (const r of results.slice(1)) assert.equal(r.name, "CombinedGraphQLErrors");

  const lines = await logs("main", (l) => ["First", "Missing", "Anonymous", "Typo"].includes(l.operation), 4);
  assert.equal(lines.length, 4, "one log line per operation");
  assert.equal(new Set(lines.map((l) => l.request_id)).size, 1, "of one request");
});

// faultline answers a batch over its maximum with its refusal once per
// operation, so BatchHttpLink hands every operation the typed error; the
// batch is refused whole (400) and nothing of it runs. Still: keep batchMax
// at most FAULTLINE_BATCH_MAX.
test("BATCH_TOO_LARGE: a batchMax over FAULTLINE_BATCH_MAX fails every operation of the batch, typed", async () => {
  const operations = [1, 2, 3, 4, 5, 6].map((i) => ({ query: `query Six${i} { products(first: ${i}) { edges { cursor } } }` }));
  const results = await runTogether({ transport: "batch", batchMax: 6, operations });
  const sent = await wire();
  assert.deepEqual(sent.map((s) => s.status), [400], "one request, refused whole");
  for (const r of results) {
    assert.equal(r.name, "CombinedGraphQLErrors", JSON.stringify(r));
    assertTyped(r.errors[0], ["BAD_REQUEST", "BATCH_TOO_LARGE", 400], sent[0]);
  }
  const [line] = await logsOf(sent);
  assert.equal(line.errors, "BAD_REQUEST/BATCH_TOO_LARGE");
});

test("TOKEN_MISSING", async () => {
  const r = await run({ query: "query Me { me { id } }" });
  assert.equal(r.name, "CombinedGraphQLErrors");
  const [sent] = await wire();
  assertTyped(r.errors[0], ["UNAUTHENTICATED", "TOKEN_MISSING", 401], sent);
  assert.equal(sent.wwwAuthenticate, 'Bearer realm="faultline"', "WWW-Authenticate is exposed");
  assert.deepEqual(await notices(), [{ operation: "Me", code: "UNAUTHENTICATED", type: "TOKEN_MISSING", action: "sign-in" }]);
});

test("TOKEN_EXPIRED, then the refresh flow", async () => {
  const s = await login("user@faultline.dev");
  const r = await run({ query: "query Me { me { id email } }", accessToken: forgeExpired(s.user.id), refreshToken: s.refreshToken });
  assert.equal(r.errors, undefined);
  assert.equal(r.data.me.id, s.user.id);
  assert.equal(r.refreshes, 1);
  assert.deepEqual(await notices(), [{ operation: "Me", code: "UNAUTHENTICATED", type: "TOKEN_EXPIRED", action: "refresh" }],
    "the error link got the expiry as CombinedGraphQLErrors");
  const sent = await wire();
  assert.equal(sent.length, 3, "the expired request, the refresh, the retry");
  assert.match(sent[0].wwwAuthenticate, /error="invalid_token"/);
  assert.match(sent[1].body, /refreshToken/);
});

test("VALIDATION_FAILED, with its fields", async () => {
  const r = await run({
    mutation: true,
    query: "mutation Register($input: RegisterInput!) { register(input: $input) { accessToken } }",
    variables: { input: { email: "not-an-email", password: "short", name: "" } },
  });
  const [sent] = await wire();
  assertTyped(r.errors[0], ["BAD_USER_INPUT", "VALIDATION_FAILED", 422], sent);
  assert.deepEqual(r.errors[0].fields.map((f) => [f.path.join("."), f.rule]).sort(),
    [["input.email", "email"], ["input.name", "minLength"], ["input.password", "minLength"]]);
  assert.equal((await notices())[0].action, "show the form's errors");
});

test("INVALID_QUERY (422)", async () => {
  const r = await run({ query: "query Typo { products { edges { nod } } }" });
  const [sent] = await wire();
  assert.equal(sent.status, 422);
  assertTyped(r.errors[0], ["GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422], sent);
  assert.equal(r.errors[0].details.rule, "FieldsOnCorrectType");
});

test("SYNTAX_ERROR (400)", async () => {
  const r = await run({ query: "query Broken { products { edges { cursor } } }", brokenPrint: "query Broken { products { edges " });
  const [sent] = await wire();
  assert.equal(sent.status, 400);
  assert.equal(r.name, "CombinedGraphQLErrors");
  assertTyped(r.errors[0], ["GRAPHQL_PARSE_FAILED", "SYNTAX_ERROR", 400], sent);
});

test("BODY_TOO_LARGE (413)", async () => {
  const r = await run({ query: "query Big($id: ID!) { product(id: $id) { id } }", variables: { id: "x".repeat(8000) } });
  const [sent] = await wire();
  assert.equal(sent.status, 413);
  assertTyped(r.errors[0], ["BAD_REQUEST", "BODY_TOO_LARGE", 413], sent);
});

test("TOO_MANY_REQUESTS (429), Retry-After read", async () => {
  const operations = [1, 2, 3, 4, 5, 6, 7, 8].map((first) => ({ query: `query Page${first} { products(first: ${first}) { edges { cursor } } }` }));
  const results = await runTogether({ uri: api(env("LIMITED_URL")), operations });
  const limited = results.filter((r) => r.errors?.[0]?.type === "TOO_MANY_REQUESTS");
  assert.ok(limited.length >= 1 && limited.length < 8, `some of eight at once are refused at 2 a second: ${limited.length}`);
  const sent = (await wire()).filter((r) => r.status === 429);
  assert.equal(sent.length, limited.length);
  for (const r of limited) {
    const e = r.errors[0];
    const s = sent.find((w) => w.requestId === e.requestId);
    assert.ok(s, "the 429's X-Request-ID was read");
    assertTyped(e, ["RATE_LIMITED", "TOO_MANY_REQUESTS", 429], s);
    assert.ok(Number(s.retryAfter) >= 1, `Retry-After is exposed: ${s.retryAfter}`);
    assert.equal(Number(s.retryAfter), e.retryAfter);
  }
  assert.ok((await notices()).some((n) => n.action === `retry in ${limited[0].errors[0].retryAfter}s`));
});

test("SHUTTING_DOWN (503), during a drain", async () => {
  const drainingURI = api(env("DRAINING_URL"));
  const query = "query Ping { products(first: 1) { edges { cursor } } }";
  const before = await run({ uri: drainingURI, query });
  assert.equal(before.errors, undefined, "served before the signal");
  const res = await fetch(`${control}/drain`, { method: "POST" });
  assert.equal(res.status, 204, "SIGTERM sent, the server drains");

  await page.evaluate(() => window.app.reset());
  const r = await run({ uri: drainingURI, query });
  const [sent] = await wire();
  assert.equal(sent.status, 503);
  assertTyped(r.errors[0], ["SERVICE_UNAVAILABLE", "SHUTTING_DOWN", 503], sent);
  assert.ok(Number(sent.retryAfter) >= 1, `Retry-After is exposed: ${sent.retryAfter}`);
  assert.equal(Number(sent.retryAfter), r.errors[0].retryAfter);
  assert.equal((await notices())[0].action, `retry in ${r.errors[0].retryAfter}s`);
});

test("INTERNAL (500): an order whose product row is gone", async () => {
  const admin = await login("admin@faultline.dev");
  const name = `Vanishing ${randomUUID().slice(0, 8)}`;
  const { createProduct } = await graphql(
    "mutation($in: ProductInput!) { createProduct(input: $in) { id } }",
    { in: { name, priceCents: 100, categories: ["test"] } }, admin.accessToken);
  const { placeOrder } = await graphql(
    "mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id } }",
    { p: createProduct.id }, user.accessToken);
  const res = await fetch(`${control}/break-product?name=${encodeURIComponent(name)}`, { method: "POST" });
  assert.equal(res.status, 204, await res.text());

  const r = await run({ query: "query Order($id: ID!) { order(id: $id) { id items { product { id name } } } }", variables: { id: placeOrder.id }, accessToken: user.accessToken });
  const [sent] = await wire();
  // A field error beside data (order: null): HTTP 200, as GraphQL over HTTP
  // has it; the error's own status says 500.
  assert.equal(sent.status, 200);
  assert.deepEqual(r.data, { order: null });
  assert.deepEqual(r.errors[0].path, ["order", "items", 0, "product"]);
  assertTyped(r.errors[0], ["INTERNAL_SERVER_ERROR", "INTERNAL", 500], sent);
  assert.equal(r.errors[0].message, "Internal server error", "no internal text leaks");
  assert.equal((await notices())[0].action, `report ${r.errors[0].requestId}`);
});

test("ORIGIN_NOT_ALLOWED: the same page from another origin gets a network error", async () => {
  const other = await open(otherOrigin);
  assert.match(await other.evaluate(() => window.app.rendered), /^failed: /);
  const r = await run({ query: "query Blocked { me { id } }" }, other);
  assert.equal(r.errors, undefined, "no answer the page may read");
  assert.equal(r.network.name, "TypeError");
  const sent = await wire(other);
  assert.ok(sent.length >= 1 && sent.every((s) => s.networkError && s.status === undefined), JSON.stringify(sent));
  await other.close();

  // The preflights were refused (the page's load, then the query), so no POST was sent.
  const refusedLines = await logs("main", (l) => l.errors === "FORBIDDEN/ORIGIN_NOT_ALLOWED", 2);
  assert.equal(refusedLines.length, 2, "the server logged both refusals");
  for (const l of refusedLines) assert.deepEqual([l.method, l.status], ["OPTIONS", 403]);
});

// followWallet subscribes in page p to the user's wallet through
// GraphQLWsLink and returns a function that waits for the subscription's
// nth result and returns its record (window.app.sockets).
async function followWallet(p, accessToken) {
  const i = await p.evaluate((a) => window.app.subscribe(a),
    { uri, query: "subscription Wallet { walletUpdated { balanceCents currency } }", accessToken });
  return async (n) => {
    const handle = await p.waitForFunction(([i, n]) => window.app.sockets[i].results.length >= n && window.app.sockets[i], [i, n], { timeout: 10_000 });
    return handle.jsonValue();
  };
}

test("GraphQLWsLink: a subscription in the page receives a top-up made through another request", async () => {
  const buyer = await graphql(
    "mutation($in: RegisterInput!) { register(input: $in) { accessToken } }",
    { in: { email: `browser-${randomUUID()}@example.com`, password: "a long enough password", name: "Watcher" } });
  const token = buyer.register.accessToken;
  const wait = await followWallet(page, token);
  let s = await wait(1);
  assert.deepEqual(s.results[0], { data: { walletUpdated: { __typename: "Wallet", balanceCents: 0, currency: "USD" } } });
  await graphql("mutation { topUp(amountCents: 2500) { balanceCents } }", {}, token);
  s = await wait(2);
  assert.equal(s.results[1].data.walletUpdated.balanceCents, 2500);
  assert.equal(s.connections, 1);
  assert.deepEqual(s.closes, []);
});

test("GraphQLWsLink from an origin not allowed: the handshake is refused (403), the page sees a closed socket", async () => {
  const other = await open(otherOrigin);
  const wait = await followWallet(other, user.accessToken);
  const s = await wait(1);
  assert.equal(s.connections, 0, "never connected");
  assert.equal(s.results[0].errors, undefined, "no answer the page may read");
  assert.match(s.results[0].network.message, /^Socket closed/);
  assert.deepEqual(s.closes, [1006], "abnormal closure: the browser hides why");
  await other.close();

  const [line] = await logs("main", (l) => l.method === "GET" && l.errors === "FORBIDDEN/ORIGIN_NOT_ALLOWED", 1);
  assert.ok(line, "the server logged the refused handshake");
  assert.equal(line.status, 403);
});

test("trusted documents: the manifest's ids run, anything else is OPERATION_NOT_TRUSTED", async () => {
  const trustedURI = api(env("TRUSTED_URL"));
  const products = "query Products($first: Int!) { products(first: $first) { edges { node { id name priceCents } } } }";
  const byID = await run({ uri: trustedURI, transport: "manifest", query: products, variables: { first: 2 } });
  assert.equal(byID.errors, undefined);
  assert.equal(byID.data.products.edges.length, 2);
  const [sent] = await wire();
  const body = JSON.parse(sent.body);
  assert.equal(body.query, undefined, "the id only");
  const manifest = await page.evaluate(() => fetch("/persisted-query-manifest.json").then((r) => r.json()));
  assert.equal(body.extensions.persistedQuery.sha256Hash, manifest.operations.find((o) => o.name === "Products").id);

  // The same document as text is in the manifest too; another one is not.
  const byText = await run({ uri: trustedURI, query: products, variables: { first: 1 } });
  assert.equal(byText.errors, undefined, JSON.stringify(byText.errors));
  const elsewhere = "query Elsewhere { products(first: 1) { edges { cursor } } }";
  const other = await run({ uri: trustedURI, query: elsewhere });
  assertTyped(other.errors[0], ["FORBIDDEN", "OPERATION_NOT_TRUSTED", 403], (await wire()).at(-1));

  // Through the manifest's link, an operation it lacks fails before it is sent.
  const sentBefore = (await wire()).length;
  const unlisted = await run({ uri: trustedURI, transport: "manifest", query: elsewhere });
  assert.equal(unlisted.network.message, "Operation Elsewhere not found in manifest");
  assert.equal((await wire()).length, sentBefore, "nothing was sent");
});

test("nothing left 127.0.0.1, and the page threw nothing", async () => {
  assert.deepEqual(refused, [], "the app asked for nothing but loopback");
  assert.deepEqual(pageErrors, []);
  // The guard itself: a request for another host fails in the browser.
  const probe = await page.evaluate(() => fetch("http://faultline.invalid/").then(() => "answered", (e) => e.name));
  assert.equal(probe, "TypeError");
  assert.deepEqual(refused, ["http://faultline.invalid/"]);
});
