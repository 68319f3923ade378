import { defineConfig } from '@playwright/test';
import { chromiumOptions as chromium, phone } from './tests/server';

// The server is started by scripts/test.sh (release build, fresh SQLite database with the
// demo township, clock pinned by XN_NOW) and reached at XN_E2E_URL.
const baseURL = process.env.XN_E2E_URL ?? 'http://127.0.0.1:3100';
// The evaluation flow runs against a second server whose clock stands at 2026-07-03.
const evalURL = process.env.XN_E2E_EVAL_URL ?? 'http://127.0.0.1:3101';
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL, launchOptions: chromium, screenshot: 'only-on-failure', trace: 'off' },
  projects: [
    { name: 'phone-zh', use: { ...phone }, testIgnore: /nojs|eval|security/ },
    { name: 'phone-zh-eval', use: { ...phone, baseURL: evalURL }, testMatch: /eval/ },
    // Hostile text, on the evaluation server once its flow has run.
    { name: 'phone-zh-security', use: { ...phone, baseURL: evalURL }, testMatch: /security/, dependencies: ['phone-zh-eval'] },
    { name: 'phone-zh-nojs', use: { ...phone, javaScriptEnabled: false }, testMatch: /nojs/ },
  ],
});
