const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses UTF-8 JSON bytes. Throws a TypeError (not UTF-8) or SyntaxError (not JSON) on bad input; callers
 * wrap it in their own error naming the document.
 */
export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes)) as unknown;
}
