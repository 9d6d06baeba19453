import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = resolve(webDir, 'test-results');

const READY_TIMEOUT_MS = 60_000;

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts what the browser tests need, once per run: the app (GUESTLIST_URL, or the server
 * binary on a free port with its own dev database) and one Chromium that every test file
 * connects to.
 */
export default async function setup(project: TestProject) {
  mkdirSync(resultsDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
  };

  try {
    let baseURL = process.env.GUESTLIST_URL?.replace(/\/+$/, '');
    if (!baseURL) {
      const server = await startServer();
      stops.push(server.stop);
      baseURL = server.url;
    }
    const browser = await launchBrowser();
    stops.push(() => browser.close());
    project.provide('baseURL', baseURL);
    project.provide('wsEndpoint', browser.wsEndpoint());
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

async function launchBrowser(): Promise<BrowserServer> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    return await chromium.launchServer({ executablePath, args: chromiumArgs, headless: true });
  } catch (err) {
    throw new Error(`could not launch Chromium at ${executablePath} (set CHROMIUM_PATH): ${String(err)}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = resolve(webDir, process.env.GUESTLIST_BIN ?? '../bin/guestlist');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = resolve(resultsDir, 'server.log');
  let stderr = '';
  let stdout = '';

  const child: ChildProcess = spawn(bin, ['serve'], {
    cwd: resolve(webDir, '..'),
    env: {
      ...process.env,
      GUESTLIST_ADDR: `127.0.0.1:${port}`,
      GUESTLIST_DEVDB_DATABASE: process.env.GUESTLIST_DEVDB_DATABASE ?? 'guestlist_e2e',
      // Small import chunks, so the imports test sees a run commit chunk by chunk and its
      // progress bar move (the default, 20,000 rows, would write its file in one commit).
      GUESTLIST_IMPORT_CHUNK_ROWS: process.env.GUESTLIST_IMPORT_CHUNK_ROWS ?? '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal }));
    child.on('error', (error) => done({ code: null, signal: null, error }));
  });
  const saveLog = () => writeFileSync(logPath, `$ ${bin} serve\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    saveLog();
    // Warnings and errors go to the run's output too: in CI the log file is not kept, and a
    // failed job (River logs it) is often why a browser test timed out.
    const problems = `${stdout}\n${stderr}`.split('\n').filter((l) => /"level":"(WARN|ERROR)"/.test(l));
    if (problems.length > 0) {
      console.error(`--- ${problems.length} warnings/errors in the server log (last 40) ---\n${problems.slice(-40).join('\n')}`);
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  let processEnded: Awaited<typeof exited> | undefined;
  void exited.then((e) => (processEnded = e));
  while (Date.now() < deadline) {
    if (processEnded) break;
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return { url, stop };
      lastProblem = `GET /readyz answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      lastProblem = `GET /readyz failed: ${String((err as Error).cause ?? err)}`;
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  await stop();
  const why = processEnded
    ? processEnded.error
      ? `could not start ${bin}: ${processEnded.error.message}`
      : `${bin} serve exited early (code ${processEnded.code}, signal ${processEnded.signal})`
    : `${bin} serve was not ready within ${READY_TIMEOUT_MS / 1000}s (${lastProblem})`;
  throw new Error(`${why}\n--- server stderr (full log in ${logPath}) ---\n${stderr.slice(-6_000)}`);
}
