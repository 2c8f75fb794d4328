/**
 * The terminal's line discipline (playground/src/lineEditor.ts) fed what xterm reports for real keys:
 * printable text, DEL for Backspace, CSI sequences for the arrows, ^C, ^D, ^U.
 */
import { describe, expect, it } from 'vitest';
import { LineEditor } from '../../playground/src/lineEditor';

function editor(prompt = '$ ', history?: string[]) {
  const events: string[] = [];
  let screen = '';
  const ed = new LineEditor(
    {
      echo: (s) => (screen += s),
      line: (t) => events.push(`line:${t}`),
      interrupt: () => events.push('interrupt'),
      eof: () => events.push('eof'),
    },
    prompt,
    history,
  );
  return { ed, events, screen: () => screen };
}

describe('LineEditor', () => {
  it('echoes typed text and hands over the line on Enter', () => {
    const { ed, events, screen } = editor();
    ed.input('berth ps');
    expect(screen()).toBe('berth ps');
    ed.input('\r');
    expect(events).toEqual(['line:berth ps']);
    expect(screen()).toBe('berth ps\r\n');
    expect(ed.pending).toBe('');
  });

  it('edits with Backspace, the arrows, Home/End, Delete and Ctrl-U', () => {
    const { ed, events } = editor();
    ed.input('helo');
    ed.input('\x1b[D'); // cursor before 'o'
    ed.input('l');
    expect(ed.pending).toBe('hello');
    ed.input('\x1b[H'); // Home
    ed.input('X');
    ed.input('\x1b[F'); // End
    ed.input('\x7f'); // Backspace removes 'o'
    expect(ed.pending).toBe('Xhell');
    ed.input('\x01\x1b[3~'); // Ctrl-A, Delete removes 'X'
    expect(ed.pending).toBe('hell');
    ed.input('\x1b[C\x1b[C\x15'); // two right, then Ctrl-U kills what is before the cursor
    expect(ed.pending).toBe('ll');
    ed.input('\r');
    expect(events).toEqual(['line:ll']);
  });

  it('redraws the whole line with the prompt after an edit in the middle', () => {
    const { ed, screen } = editor('$ ');
    ed.input('ac\x1b[Db');
    // '\r' + prompt + text + erase to end of line + the cursor moved back before 'c'.
    expect(screen().endsWith('\r$ abc\x1b[K\x1b[1D')).toBe(true);
  });

  it('recalls earlier lines with Up and Down, and keeps the draft', () => {
    const history: string[] = [];
    const { ed, events } = editor('$ ', history);
    ed.input('first\rsecond\r');
    ed.input('draft');
    ed.input('\x1b[A');
    expect(ed.pending).toBe('second');
    ed.input('\x1b[A\x1b[A'); // stays at the oldest
    expect(ed.pending).toBe('first');
    ed.input('\x1b[B\x1b[B');
    expect(ed.pending).toBe('draft');
    ed.input('\x1b[A\r');
    expect(events).toEqual(['line:first', 'line:second', 'line:second']);
    // The same line twice in a row is kept once; blank lines not at all.
    ed.input('   \r');
    expect(history).toEqual(['first', 'second']);
  });

  it('interrupts on Ctrl-C, dropping the typed line; Ctrl-D is end of input only on an empty line', () => {
    const { ed, events, screen } = editor();
    ed.input('half');
    ed.input('\x04');
    expect(events).toEqual([]);
    ed.input('\x03');
    expect(events).toEqual(['interrupt']);
    expect(screen().endsWith('^C\r\n')).toBe(true);
    expect(ed.pending).toBe('');
    ed.input('\x04');
    expect(events).toEqual(['interrupt', 'eof']);
  });

  it('takes pasted text with several lines, multi-byte characters, and ignores other controls', () => {
    const { ed, events } = editor();
    ed.input('a\x07b\x1b[1;5Cé😀\rnext\n');
    expect(events).toEqual(['line:abé😀', 'line:next']);
  });

  it('has no recall without a history (a container stdin)', () => {
    const { ed } = editor('');
    ed.input('x\x1b[A');
    expect(ed.pending).toBe('x');
  });
});
