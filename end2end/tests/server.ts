import { spawn, type ChildProcess } from 'node:child_process';

// What the specs share: the phone and the browser every test runs in, and a server of a
// test's own (its database, port and build) that the test can kill and start again.

export const chromiumOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export const phone = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

/** The release binary the suite runs (scripts/test.sh names it). */
export const BIN = process.env.XN_E2E_BIN ?? '../target/release/xiaoneng';

/** A demo server on its own port and SQLite database, run from the repository root. */
export class OwnServer {
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    readonly db: string,
    readonly now = '2026-04-15T02:00:00Z',
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `bin` serving `siteRoot` and waits until it answers. */
  async start(bin = BIN, siteRoot = 'target/site') {
    this.child = spawn(bin, ['serve', '--demo'], {
      cwd: '..',
      env: {
        ...process.env,
        DATABASE_URL: `sqlite://${this.db}?mode=rwc`,
        XN_LISTEN: `127.0.0.1:${this.port}`,
        XN_SITE_ROOT: siteRoot,
        XN_NOW: this.now,
        RUST_LOG: 'warn',
      },
      stdio: 'ignore',
    });
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${this.base}/healthz`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the server on port ${this.port} did not start`);
  }

  kill() {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}
