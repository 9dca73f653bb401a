// Lighthouse benchmark (not a test: it prints scores and never fails the test
// command). Run after a release build:
//   trunk build --release=true --dist dist index.html && node e2e/bench/lighthouse.mjs
// It serves dist/ as e2e/harness.mjs does (precompressed .br/.gz, like a real
// static host), starts Debian's Chromium (CHROME_PATH, default
// /usr/bin/chromium) with the flags this machine needs, and runs Lighthouse's
// default mobile profile (Moto G Power screen, simulated throttling: slow 4G,
// 4x CPU slowdown) for performance, accessibility and best practices. Prints
// the scores, the main metrics and each audit that does not pass.
// Options (env): RUNS=1 (scores are the median run's by performance),
// SNAPLAB_DIST=dir (another build), LIGHTHOUSE_JSON=file (the median run's full report).
import { writeFile } from 'node:fs/promises';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { CHROMIUM_ARGS, DIST, serve } from '../harness.mjs';

const RUNS = Number(process.env.RUNS ?? 1);
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const TARGETS = { performance: 90, accessibility: 100, 'best-practices': 100 };
const METRICS = [
  ['first-contentful-paint', 'FCP'],
  ['largest-contentful-paint', 'LCP'],
  ['total-blocking-time', 'TBT'],
  ['cumulative-layout-shift', 'CLS'],
  ['speed-index', 'SI'],
];
// As e2e/harness.mjs launches it, headless.
const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_ARGS];

const server = await serve();
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: CHROME_FLAGS,
});
const lhrs = [];
try {
  for (let i = 0; i < RUNS; i += 1) {
    // Lighthouse clears the cache and storage of the origin before loading: a cold load.
    const result = await lighthouse(server.url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: CATEGORIES,
    });
    lhrs.push(result.lhr);
  }
} finally {
  await chrome.kill();
  await server.close();
}

const perf = (lhr) => lhr.categories.performance.score ?? 0;
const sorted = [...lhrs].sort((a, b) => perf(a) - perf(b));
const lhr = sorted[(sorted.length - 1) >> 1];
if (process.env.LIGHTHOUSE_JSON) await writeFile(process.env.LIGHTHOUSE_JSON, JSON.stringify(lhr, null, 1));

console.log(`Lighthouse ${lhr.lighthouseVersion}, ${lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}, `
  + `${lhr.configSettings.formFactor} profile, ${lhr.configSettings.throttlingMethod} throttling, ${new Date().toISOString().slice(0, 10)}, ${DIST}`);
const lcpLabel = (l) => l.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? '?';
if (RUNS > 1) {
  console.log(`median of ${RUNS} runs by performance; each run's performance, LCP and its element: `
    + lhrs.map((l) => `${Math.round(perf(l) * 100)} (${l.audits['largest-contentful-paint'].displayValue} ${lcpLabel(l)})`).join(', '));
}
for (const id of CATEGORIES) {
  const score = Math.round((lhr.categories[id].score ?? 0) * 100);
  console.log(`  ${lhr.categories[id].title.padEnd(15)} ${String(score).padStart(3)}  target ${TARGETS[id]}  ${score >= TARGETS[id] ? 'met' : 'NOT met'}`);
}
console.log(`  ${METRICS.map(([id, short]) => `${short} ${lhr.audits[id].displayValue}`).join(', ')}`);
console.log(`  LCP element: ${lcpLabel(lhr)}`);

// Each scored audit that does not pass (score below 0.9), in the categories asked for.
for (const id of CATEGORIES) {
  const failing = lhr.categories[id].auditRefs
    .map((ref) => ({ ...lhr.audits[ref.id], weight: ref.weight }))
    .filter((a) => a.score !== null && a.score < 0.9 && !['informative', 'notApplicable', 'manual'].includes(a.scoreDisplayMode));
  console.log(`${id}: ${failing.length ? 'failing audits' : 'no failing audits'}`);
  for (const a of failing) {
    const shown = a.displayValue ? ` (${a.displayValue})` : '';
    // Weight 0: shown in the report, but not part of the category's score.
    console.log(`  ${a.id}${shown}: ${a.title}${a.weight ? '' : ' [not scored]'}`);
  }
}
