declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the app under test answers, e.g. http://127.0.0.1:41234 (no trailing slash). */
    baseURL: string;
    /** The shared Chromium's Playwright endpoint, from globalSetup. */
    wsEndpoint: string;
  }
}

export {};
