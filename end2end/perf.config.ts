import { defineConfig, devices } from '@playwright/test';

// Field-capture benchmarks (not tests): scripts/perf-field.sh builds the
// release bundle and a 5,000-case data file, then runs this. Numbers are
// printed; docs/perf.md records them with the command.
const PORT = Number(process.env.TIAOJIE_PERF_PORT ?? 3117);
const BIN = process.env.TIAOJIE_BIN ?? './target/release/tiaojie';

export default defineConfig({
  testDir: './perf',
  testMatch: '**/*.perf.ts',
  timeout: 300_000,
  workers: 1,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}` },
  projects: [
    {
      name: 'pixel-5',
      use: {
        ...devices['Pixel 5'],
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
        },
      },
    },
  ],
  webServer: {
    command: `rm -rf target/perf/db && mkdir -p target/perf/db && ${BIN} serve --demo --addr 127.0.0.1:${PORT}`,
    cwd: '..',
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { DATABASE_URL: 'sqlite://target/perf/db/tiaojie.db', RUST_LOG: 'warn' },
  },
});
