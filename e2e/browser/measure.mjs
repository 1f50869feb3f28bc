// Bytes on the wire, run by hand against a started faultline (not a test):
//
//	FAULTLINE_BATCH_MAX=10 FAULTLINE_DEMO_PASSWORD=... go run . &
//	FAULTLINE_URL=http://127.0.0.1:8080 FAULTLINE_DEMO_PASSWORD=... node measure.mjs
//
// 1. Per operation (the page's and e2e/apollo's), the request as Apollo
//    Client sends it with the whole document, against the hash-only request
//    of automatic persisted queries (POST, and GET for queries): request and
//    response bytes, HTTP head included, each on a connection of its own.
// 2. Ten queries as one batch against ten single requests on one kept-alive
//    connection and on six (a browser's limit per origin): total bytes and
//    wall time on loopback, the median of five rounds.
import { createHash } from "node:crypto";
import http from "node:http";

import { gql } from "@apollo/client";
import { addTypenameToDocument } from "@apollo/client/utilities";
import { print } from "graphql";

const base = new URL(process.env.FAULTLINE_URL ?? "http://127.0.0.1:8080");
const password = process.env.FAULTLINE_DEMO_PASSWORD;
const headers = { "content-type": "application/json", accept: "application/graphql-response+json,application/json;q=0.9" };

// send makes requests through one agent of at most `sockets` connections and
// returns the bytes that crossed them, both ways, and the wall time.
async function send(requests, sockets = 1) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const seen = new Set();
  const start = performance.now();
  const bodies = await Promise.all(requests.map((r) => new Promise((resolve, reject) => {
    const url = new URL(r.path ?? "/query", base);
    const req = http.request(url, { method: r.method ?? "POST", headers: { ...headers, ...r.headers }, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on("socket", (s) => seen.add(s));
    req.on("error", reject);
    req.end(r.body);
  })));
  const ms = performance.now() - start;
  let sent = 0, received = 0;
  for (const s of seen) {
    sent += s.bytesWritten;
    received += s.bytesRead;
  }
  agent.destroy();
  return { sent, received, ms, bodies };
}

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
// apollo prints a document as Apollo Client sends it (with __typename).
const apollo = (source) => print(addTypenameToDocument(gql(source)));

async function login(email) {
  const { bodies: [res] } = await send([{
    body: JSON.stringify({ query: "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }", variables: { e: email, p: password } }),
  }]);
  return JSON.parse(res.body).data.login;
}

const token = (await login("user@faultline.dev")).accessToken;
const auth = { authorization: `Bearer ${token}` };
const productIDs = JSON.parse((await send([{ body: JSON.stringify({ query: "{ products(first: 10) { edges { node { id } } } }" }) }])).bodies[0].body)
  .data.products.edges.map((e) => e.node.id);

// The demo operations: the page's (e2e/browser/app/app.mjs) and e2e/apollo's.
const operations = [
  ["page", "Products", "query Products($first: Int!) { products(first: $first) { edges { node { id name priceCents } } } }", { first: 5 }],
  ["page", "Product", "query Product($id: ID!) { product(id: $id) { id name priceCents } }", { id: productIDs[0] }],
  ["page", "Me", "query Me { me { id email } }", {}],
  ["page", "Register", "mutation Register($input: RegisterInput!) { register(input: $input) { accessToken } }", { input: { email: "not-an-email", password: "short", name: "" } }],
  ["apollo", "Login", "mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }", { e: "user@faultline.dev", p: password }],
  ["apollo", "Refresh", "mutation Refresh($token: String!) { refreshToken(token: $token) { accessToken refreshToken } }", { token: "x".repeat(64) }],
  ["apollo", "Mine", "query Mine { myOrders(first: 1) { edges { cursor } } }", {}],
  ["apollo", "Wallet", "query Wallet { me { wallet { balanceCents } } }", {}],
  ["apollo", "Partial", "query Partial { products(first: 2) { edges { node { id name createdBy { id name email } } } } }", {}],
  ["apollo", "Place", "mutation Place($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 100}]}) { id } }", { p: productIDs[0] }],
];

console.log("1. APQ: bytes per request (request / response, HTTP head included)\n");
console.log("| suite | operation | document | full POST | hash-only POST | hash-only GET | request saved |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const [suite, name, source, variables] of operations) {
  const query = apollo(source);
  const persistedQuery = { version: 1, sha256Hash: sha256(query) };
  const mutation = query.startsWith("mutation");
  // Register the document (the APQ second request), then measure each form.
  await send([{ headers: auth, body: JSON.stringify({ operationName: name, query, variables, extensions: { persistedQuery } }) }]);
  const full = await send([{ headers: auth, body: JSON.stringify({ operationName: name, query, variables }) }]);
  const hashed = await send([{ headers: auth, body: JSON.stringify({ operationName: name, variables, extensions: { persistedQuery } }) }]);
  let get = "—";
  if (!mutation) {
    const params = new URLSearchParams({ operationName: name, variables: JSON.stringify(variables), extensions: JSON.stringify({ persistedQuery }) });
    const g = await send([{ method: "GET", path: `/query?${params}`, headers: auth }]);
    get = `${g.sent} / ${g.received}`;
  }
  const saved = Math.round(100 * (1 - hashed.sent / full.sent));
  console.log(`| ${suite} | ${name} | ${query.length} | ${full.sent} / ${full.received} | ${hashed.sent} / ${hashed.received} | ${get} | ${full.sent - hashed.sent} B (${saved} %) |`);
}

console.log("\n2. A batch of 10 queries against 10 single requests (median of 5 rounds)\n");
const ten = productIDs.slice(0, 10).map((id, i) => ({
  operationName: `Item${i}`,
  query: apollo(`query Item${i}($id: ID!) { product(id: $id) { id name priceCents categories } }`),
  variables: { id },
}));
const median = (xs) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = { batch: [], "10 singles, 1 connection": [], "10 singles, 6 connections": [] };
for (let i = 0; i < 5; i++) {
  const batch = await send([{ headers: auth, body: JSON.stringify(ten) }]);
  const results = JSON.parse(batch.bodies[0].body);
  if (!Array.isArray(results) || results.length !== 10 || results.some((r) => r.errors)) throw new Error(`the batch failed: ${batch.bodies[0].body.slice(0, 300)}`);
  rounds.batch.push(batch);
  rounds["10 singles, 1 connection"].push(await send(ten.map((op) => ({ headers: auth, body: JSON.stringify(op) })), 1));
  rounds["10 singles, 6 connections"].push(await send(ten.map((op) => ({ headers: auth, body: JSON.stringify(op) })), 6));
}
console.log("| how | bytes sent | bytes received | total | wall time (ms) |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [how, rs] of Object.entries(rounds)) {
  const s = median(rs.map((r) => r.sent)), r = median(rs.map((r) => r.received));
  console.log(`| ${how} | ${s} | ${r} | ${s + r} | ${median(rs.map((r) => r.ms)).toFixed(2)} |`);
}
