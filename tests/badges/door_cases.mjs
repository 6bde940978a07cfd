// Runs tests/badges/door_cases.json against static/js/door-decision.js; prints one JSON line of failures.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { decide } = require(process.argv[2]);
const table = JSON.parse(readFileSync(process.argv[3], "utf8"));
const failures = [];
for (const raw of table.cases) {
  const c = { ...table.defaults, ...raw };
  const got = decide(c.holder, c.door, c.at, c.admitted, c.nonce_use);
  if (got.status !== c.expect.status || got.reason !== c.expect.reason) failures.push({ name: c.name, got });
}
console.log(JSON.stringify({ cases: table.cases.length, failures }));
