/** The `process` package's browser build ships no types; only what the shim passes on is declared. */
declare module 'process/browser.js' {
  const process: {
    nextTick(callback: (...args: unknown[]) => void, ...args: unknown[]): void;
    cwd(): string;
    readonly env: Record<string, string | undefined>;
    readonly platform: string;
  };
  export default process;
}
