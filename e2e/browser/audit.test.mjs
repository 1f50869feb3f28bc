// graphql-http's audits of the GraphQL-over-HTTP specification against a
// started faultline (FAULTLINE_URL): every MUST audit is a test that must
// pass; the SHOULD and MAY audits are printed, not required.
import assert from "node:assert/strict";
import { test } from "node:test";

import { serverAudits } from "graphql-http";

const url = new URL("/query", process.env.FAULTLINE_URL ?? "http://127.0.0.1:8080").href;
const audits = serverAudits({ url, fetchFn: fetch });

// describe says what an audit's response was, for its failure message.
async function describe(result) {
  if (result.status === "ok") return "ok";
  const res = result.response;
  const body = res && !res.bodyUsed ? await res.clone().text().catch(() => "") : "";
  return `${result.status}: ${result.reason}${res ? ` (HTTP ${res.status} ${res.headers.get("content-type")}: ${body.slice(0, 300)})` : ""}`;
}

for (const audit of audits.filter((a) => a.name.startsWith("MUST"))) {
  test(`${audit.id} ${audit.name}`, async () => {
    const result = await audit.fn();
    assert.equal(result.status, "ok", await describe(result));
  });
}

test("SHOULD and MAY audits (reported, not required)", async () => {
  const lines = [];
  const counts = {};
  for (const audit of audits.filter((a) => !a.name.startsWith("MUST"))) {
    const result = await audit.fn();
    counts[result.status] = (counts[result.status] ?? 0) + 1;
    lines.push(`${result.status === "ok" ? "ok  " : result.status.padEnd(4)} ${audit.id} ${audit.name}${result.status === "ok" ? "" : ` — ${await describe(result)}`}`);
  }
  console.log(`graphql-http SHOULD/MAY audits: ${JSON.stringify(counts)}\n${lines.join("\n")}`);
  assert.ok(lines.length > 0);
});
