import { defineConfig, devices } from '@playwright/test';

// Playwright drives Debian's Chromium against the real server binary on a
// fresh SQLite file with the demo data. Build first (scripts/test.sh does):
// `cargo leptos build`. TIAOJIE_BIN picks another binary (e.g. the release one).
const PORT = Number(process.env.TIAOJIE_E2E_PORT ?? 3107);
const BIN = process.env.TIAOJIE_BIN ?? './target/debug/tiaojie';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  timeout: 60_000, // debug builds; some tests drive a phone and an office desk, each syncing
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'pixel-5',
      use: {
        ...devices['Pixel 5'],
        launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
      },
    },
  ],
  webServer: {
    command: `rm -rf target/e2e && ${BIN} serve --demo --addr 127.0.0.1:${PORT}`,
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { DATABASE_URL: 'sqlite://target/e2e/tiaojie.db', RUST_LOG: 'warn' },
  },
});
