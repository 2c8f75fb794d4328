/** Docker's output formatting: durations, sizes, IDs, quoting, tables, --format templates (pure). */
import { describe, expect, it } from 'vitest';
import {
  ellipsis,
  formatG,
  goQuote,
  humanDuration,
  humanSize,
  imageSize,
  psCommand,
  tabwrite,
  timeAgo,
  truncateId,
} from '../../src/cli/format';
import { parseListFormat, strict, Template, TemplateError } from '../../src/cli/template';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (go-units)', () => {
  it.each<[number, string]>([
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * S, '1 second'],
    [1999, '1 second'],
    [5 * S, '5 seconds'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [47 * H, '47 hours'],
    [48 * H, '2 days'],
    [13 * D, '13 days'],
    [14 * D, '2 weeks'],
    [59 * D, '8 weeks'],
    [60 * D, '2 months'],
    [729 * D, '24 months'],
    [730 * D, '2 years'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('says "ago" for CREATED', () => {
    expect(timeAgo(new Date(0), new Date(5 * S))).toBe('5 seconds ago');
  });
});

describe('sizes (units of 1000)', () => {
  it.each<[number, string, string]>([
    [0, '0B', '0B'],
    [512, '512B', '512B'],
    [999, '999B', '999B'],
    [1000, '1kB', '1kB'],
    [1234, '1.234kB', '1.23kB'],
    [13_256, '13.26kB', '13.3kB'],
    [1_234_567, '1.235MB', '1.23MB'],
    [100_000_000, '100MB', '100MB'],
    [999_999, '1000kB', '1e+03kB'],
    [5_000_000_000, '5GB', '5GB'],
  ])('%d → %s (HumanSize), %s (precision 3)', (bytes, four, three) => {
    expect(humanSize(bytes)).toBe(four);
    expect(imageSize(bytes)).toBe(three);
  });

  it("formats %g as Go's fmt", () => {
    expect(formatG(1.5, 3)).toBe('1.5');
    expect(formatG(0.0001234, 3)).toBe('0.000123');
    expect(formatG(0.00001234, 3)).toBe('1.23e-05');
    expect(formatG(123456, 3)).toBe('1.23e+05');
  });
});

describe('ids and commands', () => {
  it('truncates IDs to 12 characters without the algorithm', () => {
    expect(truncateId('sha256:' + 'ab'.repeat(32))).toBe('abababababab');
    expect(truncateId('0123456789abcdef')).toBe('0123456789ab');
  });

  it('cuts with an ellipsis and quotes as Go does', () => {
    expect(ellipsis('short', 20)).toBe('short');
    expect(ellipsis('/hello.wasm arg1 arg2 arg3', 20)).toBe('/hello.wasm arg1 ar…');
    expect(psCommand('/hello.wasm arg1 arg2 arg3', false)).toBe('"/hello.wasm arg1 ar…"');
    expect(psCommand('/hello.wasm arg1 arg2 arg3', true)).toBe('"/hello.wasm arg1 arg2 arg3"');
    expect(goQuote('a "b"\\\n\t\x01é')).toBe('"a \\"b\\"\\\\\\n\\t\\x01é"');
  });
});

describe('tabwrite (text/tabwriter 10, 1, 3, spaces)', () => {
  it('lays out docker ps', () => {
    const text =
      'CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n' +
      'abcdef012345\thello\t"/hello.wasm"\t5 seconds ago\tExited (0) 4 seconds ago\t\tbox\n';
    expect(tabwrite(text)).toBe(
      'CONTAINER ID   IMAGE     COMMAND         CREATED         STATUS                     PORTS     NAMES\n' +
        'abcdef012345   hello     "/hello.wasm"   5 seconds ago   Exited (0) 4 seconds ago             box\n',
    );
  });

  it('lays out volumes and column blocks as Go does', () => {
    expect(tabwrite('DRIVER\tVOLUME NAME\nlocal\tdata\n')).toBe('DRIVER    VOLUME NAME\nlocal     data\n');
    // The second line has no cell in column 1, which ends that column's block.
    expect(tabwrite('a\tb\tc\nx\ny\tlonger cell\tz\n')).toBe(
      'a         b         c\nx\ny         longer cell   z\n',
    );
  });
});

describe('templates', () => {
  const container = {
    Id: 'abc',
    Name: '/box',
    State: { Status: 'exited', ExitCode: 3, Running: false },
    Config: { Cmd: ['hello', 'world'], Entrypoint: null, Labels: { a: '1', 'com.x': 'y' }, Env: [] },
    Mounts: [{ Type: 'volume', Name: 'data' }],
  };
  const run = (t: string, data: unknown = container) => new Template(t).execute(data);

  it('reads fields and prints values as Go does', () => {
    expect(run('{{.Id}} {{.Name}} {{.State.ExitCode}} {{.State.Running}}')).toBe('abc /box 3 false');
    expect(run('{{.Config.Cmd}}')).toBe('[hello world]');
    expect(run('{{.Config.Labels}}')).toBe('map[a:1 com.x:y]');
    expect(run('{{.Config.Entrypoint}}')).toBe('<nil>');
    expect(run('{{.Nope}}')).toBe('<no value>');
    expect(run('{{.}}', 'x')).toBe('x');
  });

  it('has json, index, len, join and friends', () => {
    expect(run('{{json .Config.Cmd}}')).toBe('["hello","world"]');
    expect(run('{{json .State}}')).toBe('{"Status":"exited","ExitCode":3,"Running":false}');
    expect(run('{{index .Config.Labels "com.x"}}')).toBe('y');
    expect(run('{{index .Config.Labels "missing"}}')).toBe('');
    expect(run('{{index .Config.Cmd 1}}')).toBe('world');
    expect(run('{{len .Config.Cmd}}')).toBe('2');
    expect(run('{{join .Config.Cmd ","}}')).toBe('hello,world');
    expect(run('{{.Name | upper}}')).toBe('/BOX');
    expect(run('{{lower "ABC"}} {{title "hello world"}}')).toBe('abc Hello World');
    expect(run('{{printf "%s=%d" .Id .State.ExitCode}}')).toBe('abc=3');
    expect(run('{{split "a:b" ":"}}')).toBe('[a b]');
    expect(run('{{pad "x" 1 2}}|{{truncate "abcdef" 3}}')).toBe(' x  |abc');
  });

  it('has if, range, with, variables and trim markers', () => {
    expect(run('{{if eq .State.Status "exited"}}down{{else}}up{{end}}')).toBe('down');
    expect(run('{{if .State.Running}}up{{else if .State.ExitCode}}failed{{else}}ok{{end}}')).toBe('failed');
    expect(run('{{range .Config.Cmd}}<{{.}}>{{end}}')).toBe('<hello><world>');
    expect(run('{{range $i, $c := .Config.Cmd}}{{$i}}={{$c}} {{end}}')).toBe('0=hello 1=world ');
    expect(run('{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}};{{end}}')).toBe('a:1;com.x:y;');
    expect(run('{{range .Config.Env}}x{{else}}none{{end}}')).toBe('none');
    expect(run('{{with .State}}{{.Status}}{{end}}')).toBe('exited');
    expect(run('{{$n := .Name}}{{range .Mounts}}{{$n}}:{{.Name}}{{end}}')).toBe('/box:data');
    expect(run('a  {{- .Id -}}  b')).toBe('aabcb');
    expect(run('{{/* a comment */}}x')).toBe('x');
    expect(run('{{(index .Mounts 0).Type}}'.replace('.Type', ''))).toBe('map[Name:data Type:volume]');
  });

  it('calls row methods and refuses unknown fields of rows', () => {
    const row = strict({ ID: 'abc', Label: (k: string) => ({ a: '1' })[k] ?? '' });
    expect(run('{{.ID}} {{.Label "a"}}', row)).toBe('abc 1');
    expect(() => run('{{.Nope}}', row)).toThrow(/can't evaluate field Nope/);
  });

  it('says clearly what it does not support', () => {
    const bad = (t: string) => {
      try {
        new Template(t);
      } catch (e) {
        expect(e).toBeInstanceOf(TemplateError);
        return (e as Error).message;
      }
      return 'parsed';
    };
    expect(bad('{{.Id')).toMatch(/unclosed action/);
    expect(bad('{{frob .Id}}')).toBe('template: :1: function "frob" not defined');
    expect(bad('{{define "x"}}{{end}}')).toMatch(/"define" is not supported/);
    expect(bad('{{template "x"}}')).toMatch(/"template" is not supported/);
    expect(bad('{{if .X}}')).toMatch(/unexpected EOF/);
    expect(bad('{{end}}')).toMatch(/unexpected \{\{end\}\}/);
    expect(bad('{{"abc}}')).toMatch(/unterminated quoted string/);
  });

  it("reads Docker's --format forms", () => {
    const table = parseListFormat('table {{.ID}}\\t{{.Image}}', '');
    expect(table.table).toBe(true);
    expect(table.template.source).toBe('{{.ID}}\t{{.Image}}');
    expect(parseListFormat('', '{{.ID}}').table).toBe(true);
    expect(parseListFormat('table', '{{.ID}}').template.source).toBe('{{.ID}}');
    expect(parseListFormat('json', '').template.source).toBe('{{json .}}');
    expect(parseListFormat('{{.ID}}\\n', '').table).toBe(false);
    expect(parseListFormat('{{.ID}}\\n', '').template.source).toBe('{{.ID}}\n');
  });
});
