/** Checks on instruction values that Docker makes at parse or dispatch time. Each returns an error text. */

/** `http://…`, `https://…`, `git://…`, `git@host:repo`: sources ADD could fetch, but Berth has no network. */
export function isRemoteSource(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@[^:/\s]+:/.test(source);
}

export function remoteSourceError(kind: 'COPY' | 'ADD', source: string): string {
  return kind === 'COPY'
    ? `COPY does not accept URLs (${source}): only files from the build context or another stage`
    : `ADD ${source}: remote sources are not supported (berth build has no network access); ` +
        'download the file into the build context and COPY it';
}

const SIGNAL_NAMES = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE',
  'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU',
  'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX', 'UNUSED',
]); // prettier-ignore

/** Docker's signal.ParseSignal (Linux table): a number 1–64 or a name with or without `SIG`. */
export function signalError(signal: string): string | undefined {
  if (/^\d+$/.test(signal)) {
    const n = Number(signal);
    return n >= 1 && n <= 64 ? undefined : `Invalid signal: ${signal}`;
  }
  const name = signal.toUpperCase().replace(/^SIG/, '');
  if (SIGNAL_NAMES.has(name)) return undefined;
  const rt = /^RTM(IN\+|AX-)(\d+)$/.exec(name);
  if (rt && Number(rt[2]) >= 1 && Number(rt[2]) <= 15) return undefined;
  return `Invalid signal: ${signal}`;
}

/** `PORT[-PORT][/tcp|udp|sctp]`, as Docker's nat.ParsePortSpec accepts for EXPOSE. */
export function exposeError(port: string): string | undefined {
  const m = /^([^/]*)(?:\/(.*))?$/.exec(port) as RegExpExecArray;
  const [, range, proto] = m;
  if (proto !== undefined && !['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) {
    return `invalid proto: ${proto}`;
  }
  const r = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(range);
  if (!r) return `Invalid containerPort: ${range}`;
  const start = Number(r[1]);
  const end = r[2] === undefined ? start : Number(r[2]);
  if (start > 65535 || end > 65535) return `Invalid containerPort: ${range}`;
  if (end < start) return `Invalid range specified for container port: ${range}`;
  return undefined;
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3,
  '\u03bcs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in nanoseconds; undefined when `text` is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  // µ and μ escaped (\u00b5, \u03bc): the CLI bundle stays ASCII.
  const part = /^(\d*)(?:\.(\d*))?([a-z\u00b5\u03bc]+)/u;
  while (s !== '') {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[m[3]];
    if (unit === undefined) return undefined;
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * unit;
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}
