// Drives the policy workbench in headless Chromium (the system's /usr/bin/chromium) the
// way an author would: a syntax error typed and seen at its line, fixed; completion of a
// customer fact; the tests run; a
// customer evaluated; a cadence number changed and compared against the saved policy; a
// month plan; a save, after which the served policy hash has changed. Writes a screenshot
// of each view. Run by cli/tests/workbench_browser.rs:
//   node workbench.mjs URL SCREENSHOT_DIR
import { chromium } from "playwright-core";

const [url, shots] = process.argv.slice(2);
const executablePath = process.env.PATRON_CHROMIUM || "/usr/bin/chromium";
const fail = (message) => { throw new Error(message); };
const step = (message) => console.log(`step: ${message}`);

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  const before = await (await page.request.get(`${url}v1/policy`)).json();

  step("type a syntax error in promote.rhai and see it at its line");
  await page.click('#file-tabs [data-file="promote.rhai"]');
  const fnLine = await page.evaluate(() => window.patronWorkbench.lineOf("promote.rhai", /^fn grade\(/));
  if (!fnLine) fail("promote.rhai has no `fn grade(`");
  await page.click("#editor .cm-content");
  await page.keyboard.press("Control+Home");
  for (let i = 1; i < fnLine; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("End");
  const broken = " let = ;";
  await page.keyboard.type(broken);
  const problem = page.locator(`#problems li[data-file="promote.rhai"][data-line="${fnLine}"]`);
  await problem.first().waitFor({ timeout: 10000 });
  const text = await problem.first().textContent();
  if (!/error/.test(text)) fail(`the diagnostic at promote.rhai:${fnLine} is not an error: ${text}`);
  await page.locator("#editor .cm-lintRange-error").first().waitFor({ timeout: 5000 });
  await page.screenshot({ path: `${shots}/workbench-edit.png` });

  step("fix it");
  for (let i = 0; i < broken.length; i++) await page.keyboard.press("Backspace");
  await page.waitForFunction(() => /Problems: 0 error/.test(document.getElementById("problems-title").textContent), null, { timeout: 10000 });

  step("completion offers the customer's facts after `c.`");
  await page.keyboard.type(" c.revenue_3");
  await page.keyboard.press("Control+Space");
  const option = page.locator(".cm-tooltip-autocomplete li", { hasText: "revenue_365" });
  await option.first().waitFor({ timeout: 10000 });
  await page.keyboard.press("Escape");
  for (let i = 0; i < " c.revenue_3".length; i++) await page.keyboard.press("Backspace");
  await page.waitForFunction(() => /Problems: 0 error/.test(document.getElementById("problems-title").textContent), null, { timeout: 10000 });

  step("run the tests (views switched with the keyboard)");
  await page.focus("#tab-edit");
  await page.keyboard.press("ArrowRight"); // Try
  await page.keyboard.press("ArrowRight"); // Test
  if (await page.getAttribute("#tab-test", "aria-selected") !== "true") fail("the arrow keys did not select the Test view");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#test-summary", { timeout: 20000 });
  const summary = await page.textContent("#test-summary");
  if (!/^\d+ passed, 0 failed$/.test(summary.trim())) fail(`tests: ${summary}`);
  await page.screenshot({ path: `${shots}/workbench-test.png` });

  step("evaluate a test customer and read its grade");
  await page.click("#tab-try");
  await page.waitForFunction(() => document.querySelector('#try-customer optgroup[label="examples/customers.json"] option'), null, { timeout: 10000 });
  const example = await page.$eval('#try-customer optgroup[label="examples/customers.json"] option', (o) => o.value);
  await page.selectOption("#try-customer", example);
  await page.fill("#try-as-of", "2026-11-23");
  await page.click("#try-run");
  await page.waitForSelector("#try-grade .big", { timeout: 20000 });
  const grade = (await page.textContent("#try-grade .big")).trim();
  if (!/^[A-F]$/.test(grade)) fail(`the grade shown is ${grade}`);
  console.log(`grade: ${grade}`);
  await page.locator("#try-result svg").waitFor();
  await page.screenshot({ path: `${shots}/workbench-try.png`, fullPage: true });

  step("the grade's rule line jumps to the editor");
  const rule = await page.getAttribute("#try-grade button.rule", "data-line");
  await page.click("#try-grade button.rule");
  if (await page.getAttribute("#tab-edit", "aria-selected") !== "true") fail("the rule link did not open the editor");
  if (await page.getAttribute('#file-tabs [data-file="promote.rhai"]', "aria-selected") !== "true") fail("the rule link did not open promote.rhai");
  const cursorLine = await page.evaluate(() => window.patronWorkbench.cursorLine());
  if (String(cursorLine) !== rule) fail(`the rule is at line ${rule}, the cursor at ${cursorLine}`);

  step("change a cadence number in policy.toml (B: 2 visits a month -> 3)");
  await page.click("#tab-edit");
  await page.click('#file-tabs [data-file="policy.toml"]');
  const line = await page.evaluate(() => window.patronWorkbench.lineOf("policy.toml", /^B = \{ calls_per_week/));
  if (!line) fail("no cadence row for B in policy.toml");
  await page.evaluate((l) => window.patronWorkbench.gotoLine(l), line);
  await page.keyboard.press("Home");
  const row = await page.evaluate((l) => window.patronWorkbench.text().split("\n")[l - 1], line);
  const column = row.indexOf("visits_per_month = 2.0") + "visits_per_month = ".length;
  for (let i = 0; i < column; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Delete");
  await page.keyboard.type("3");
  await page.waitForFunction(() => /Problems: 0 error/.test(document.getElementById("problems-title").textContent), null, { timeout: 10000 });

  step("compare with the saved policy and read the matrix");
  await page.click("#tab-compare");
  await page.selectOption("#compare-source", "example:customers.json");
  await page.fill("#compare-as-of", "2026-11-23");
  await page.click("#compare-run");
  await page.waitForSelector("#grade-matrix", { timeout: 30000 });
  const cells = await page.$$eval("#grade-matrix td", (tds) => tds.map((td) => Number(td.textContent) || 0));
  const total = cells.reduce((a, b) => a + b, 0);
  const customers = Number(await page.textContent("#compare-totals .card .big"));
  if (total !== customers || customers === 0) fail(`the grade matrix counts ${total} of ${customers} customers`);
  const moves = await page.$$eval("#moves tbody tr", (rows) => rows.length);
  if (moves === 0) fail("a cadence change moved no customer");
  console.log(`matrix: ${total} customers, ${moves} move; compare rendered in ${await page.getAttribute("#compare-result", "data-ms")} ms`);
  await page.screenshot({ path: `${shots}/workbench-compare.png`, fullPage: true });

  step("upload a 1,000-customer portfolio and compare");
  const examples = await (await page.request.get(`${url}v1/workbench/examples/customers.json`)).json();
  const thousand = Array.from({ length: 1000 }, (_, i) => ({ ...examples[i % examples.length], id: `K-${i}` }));
  await page.setInputFiles("#compare-file", { name: "thousand.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(thousand)) });
  await page.click("#compare-run");
  await page.waitForFunction(() => document.querySelector("#compare-totals .card .big")?.textContent === "1000", null, { timeout: 60000 });
  const big = await page.$$eval("#grade-matrix td", (tds) => tds.reduce((a, td) => a + (Number(td.textContent) || 0), 0));
  if (big !== 1000) fail(`the grade matrix of 1,000 customers counts ${big}`);
  console.log(`1000 customers: answered and rendered in ${await page.getAttribute("#compare-result", "data-ms")} ms, of which rendering ${await page.getAttribute("#compare-result", "data-render-ms")} ms`);

  step("plan a month for a rep");
  await page.click("#tab-plan");
  await page.selectOption("#plan-source", "example:customers.json");
  await page.waitForFunction(() => document.querySelectorAll("#plan-owner option").length > 0, null, { timeout: 10000 });
  await page.fill("#plan-month", "2026-12");
  await page.click("#plan-run");
  const frame = await (await page.waitForSelector("#plan-result iframe", { timeout: 30000 })).contentFrame();
  await frame.waitForSelector("table, h1, h2", { timeout: 10000 });
  await page.screenshot({ path: `${shots}/workbench-plan.png` });

  step("save and see the served policy change");
  await page.click("#tab-save");
  await page.click("#save-run");
  await page.waitForSelector("#save-ok", { timeout: 30000 });
  const saved = (await page.textContent("#saved-hash")).trim();
  const after = await (await page.request.get(`${url}v1/policy`)).json();
  if (after.hash !== saved) fail(`GET /v1/policy serves ${after.hash}, the save said ${saved}`);
  if (after.hash === before.hash) fail("the served policy hash did not change");
  await page.screenshot({ path: `${shots}/workbench-save.png` });
  console.log(`hash: ${before.hash} -> ${after.hash}`);
  console.log("workbench browser test: all steps passed");
} finally {
  await browser.close();
}
