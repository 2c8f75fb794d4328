/**
 * The terminal's line discipline, as a terminal in canonical mode gives a program: the typed line is
 * echoed and edited locally (backspace, arrows, Home/End, Ctrl-A/E/U), and only a finished line leaves
 * it. Ctrl-C interrupts, Ctrl-D on an empty line is end of input. With a history (the berth prompt), Up
 * and Down recall earlier lines.
 *
 * Pure: it takes what xterm's onData reports and answers with the bytes to echo and the events, so the
 * same object serves the prompt and a container's stdin, and tests run it without a terminal.
 *
 * Redrawing: every change rewrites the whole line (`\r` + prompt + text + erase to end of line, then the
 * cursor moved back). That keeps the screen right after any edit, for lines shorter than the terminal.
 */
export interface LineEditorEvents {
  /** Bytes for the terminal (the echo and the redraws). */
  echo(text: string): void;
  /** A finished line, without its newline. */
  line(text: string): void;
  /** Ctrl-C. The line being typed is dropped. */
  interrupt(): void;
  /** Ctrl-D on an empty line. */
  eof(): void;
}

// eslint-disable-next-line no-control-regex -- escape sequences begin with ESC (0x1b)
const ESC_SEQUENCE = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/;

export class LineEditor {
  private text = '';
  private cursor = 0;
  /** Index into history while recalling; history.length means the line being typed. */
  private recall = 0;
  private draft = '';

  /**
   * @param prompt written before the line on every redraw ('' for a container's stdin: the program
   *   printed its own prompt, which the redraw must not erase, so there the prompt is the columns the
   *   line started at, see `startColumn`).
   * @param history earlier lines, oldest first; absent: no recall (stdin).
   */
  constructor(
    private readonly events: LineEditorEvents,
    private readonly prompt: string = '',
    private readonly history?: string[],
    /** The column the line starts at when there is no prompt of ours (the program's own prompt). */
    private readonly startColumn = 0,
  ) {
    this.recall = history?.length ?? 0;
  }

  /** The line typed so far (not yet sent). */
  get pending(): string {
    return this.text;
  }

  /** Feeds what the terminal reported: typed characters, pasted text, escape sequences. */
  input(data: string): void {
    for (let i = 0; i < data.length;) {
      const seq = ESC_SEQUENCE.exec(data.slice(i, i + 16));
      if (data[i] === '\x1b' && seq !== null) {
        this.escape(seq[0]);
        i += seq[0].length;
        continue;
      }
      const cp = data.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      this.key(ch);
    }
  }

  private key(ch: string): void {
    switch (ch) {
      case '\r':
      case '\n': {
        const line = this.text;
        this.moveTo(this.text.length);
        this.events.echo('\r\n');
        if (this.history !== undefined && line.trim() !== '' && this.history.at(-1) !== line) {
          this.history.push(line);
        }
        this.reset();
        this.events.line(line);
        return;
      }
      case '\x7f':
      case '\b':
        if (this.cursor > 0) {
          this.text = this.text.slice(0, this.cursor - 1) + this.text.slice(this.cursor);
          this.cursor--;
          this.redraw();
        }
        return;
      case '\x03':
        this.moveTo(this.text.length);
        this.events.echo('^C\r\n');
        this.reset();
        this.events.interrupt();
        return;
      case '\x04':
        if (this.text === '') this.events.eof();
        return;
      case '\x01':
        this.moveTo(0);
        return;
      case '\x05':
        this.moveTo(this.text.length);
        return;
      case '\x15':
        this.text = this.text.slice(this.cursor);
        this.cursor = 0;
        this.redraw();
        return;
      case '\t':
        this.insert('    ');
        return;
    }
    if (ch < ' ' || ch === '\x7f') return; // other control characters mean nothing here
    this.insert(ch);
  }

  private escape(seq: string): void {
    const final = seq.at(-1);
    if (seq === '\x1b[3~') {
      // Delete
      if (this.cursor < this.text.length) {
        this.text = this.text.slice(0, this.cursor) + this.text.slice(this.cursor + 1);
        this.redraw();
      }
      return;
    }
    if (final === 'A') this.recallLine(-1);
    else if (final === 'B') this.recallLine(1);
    else if (final === 'C') this.moveTo(Math.min(this.text.length, this.cursor + 1));
    else if (final === 'D') this.moveTo(Math.max(0, this.cursor - 1));
    else if (final === 'H' || seq === '\x1b[1~') this.moveTo(0);
    else if (final === 'F' || seq === '\x1b[4~') this.moveTo(this.text.length);
  }

  private recallLine(step: number): void {
    const history = this.history;
    if (history === undefined) return;
    const next = this.recall + step;
    if (next < 0 || next > history.length) return;
    if (this.recall === history.length) this.draft = this.text;
    this.recall = next;
    this.text = next === history.length ? this.draft : history[next]!;
    this.cursor = this.text.length;
    this.redraw();
  }

  private insert(s: string): void {
    this.text = this.text.slice(0, this.cursor) + s + this.text.slice(this.cursor);
    this.cursor += s.length;
    if (this.cursor === this.text.length) this.events.echo(s);
    else this.redraw();
  }

  private moveTo(cursor: number): void {
    if (cursor === this.cursor) return;
    const delta = cursor - this.cursor;
    this.cursor = cursor;
    this.events.echo(delta > 0 ? `\x1b[${delta}C` : `\x1b[${-delta}D`);
  }

  private redraw(): void {
    const back = this.text.length - this.cursor;
    const start = this.prompt !== '' ? `\r${this.prompt}` : `\r\x1b[${this.startColumn}C`;
    const column = this.prompt !== '' || this.startColumn > 0 ? start : '\r';
    this.events.echo(`${column}${this.text}\x1b[K${back > 0 ? `\x1b[${back}D` : ''}`);
  }

  private reset(): void {
    this.text = '';
    this.cursor = 0;
    this.draft = '';
    this.recall = this.history?.length ?? 0;
  }
}
