/**
 * Shape checks shared by the parse* functions of this folder. Each throws InvalidManifestError naming the
 * document and the JSON path of the bad field.
 */
import { InvalidManifestError } from '../errors/InvalidManifestError';
import { isDigest } from './digest';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fail(subject: string, reason: string): never {
  throw new InvalidManifestError(subject, reason);
}

export function object(subject: string, path: string, value: unknown): Json {
  if (!isObject(value)) fail(subject, `${path} must be an object`);
  return value;
}

export function optionalString(subject: string, path: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') fail(subject, `${path} must be a string`);
}

export function nonEmptyString(subject: string, path: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') fail(subject, `${path} must be a non-empty string`);
}

export function optionalStringArray(subject: string, path: string, value: unknown, nullable = false): void {
  if (value === undefined || (nullable && value === null)) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    fail(subject, `${path} must be an array of strings`);
  }
}

export function optionalStringMap(subject: string, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    fail(subject, `${path} must be an object of strings`);
  }
}

export function digestField(subject: string, path: string, value: unknown): void {
  if (isDigest(value)) return;
  fail(
    subject,
    `${path} must be a sha256 digest ("sha256:" + 64 lowercase hex), got ${JSON.stringify(value)}`,
  );
}

export function schemaVersion2(subject: string, json: Json): void {
  if (json.schemaVersion !== 2)
    fail(subject, `schemaVersion must be 2, got ${JSON.stringify(json.schemaVersion)}`);
}
