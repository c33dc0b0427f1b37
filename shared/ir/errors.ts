/**
 * Typed errors for everything that can be wrong with a project file. Each names where: the zip entry
 * and, inside `project.json`, the JSON path (`graph.nodes[3].params.units`).
 */
export type ProjectErrorCode =
  | 'NOT_A_ZIP'
  | 'TRUNCATED'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_ENTRIES'
  | 'BAD_ENTRY_NAME'
  | 'ENTRY_NOT_ALLOWED'
  | 'DUPLICATE_ENTRY'
  | 'SYMLINK_ENTRY'
  | 'OVERLAPPING_ENTRIES'
  | 'UNSUPPORTED_ZIP'
  | 'ENTRY_TOO_LARGE'
  | 'TOTAL_TOO_LARGE'
  | 'COMPRESSION_RATIO'
  | 'CORRUPT_ENTRY'
  | 'MISSING_ENTRY'
  | 'INVALID_JSON'
  | 'UNKNOWN_FORMAT'
  | 'FUTURE_VERSION'
  | 'SCHEMA'
  | 'FORBIDDEN_KEY'
  | 'UNKNOWN_LAYER'
  | 'GRAPH';

export class ProjectFileError extends Error {
  override readonly name = 'ProjectFileError';
  constructor(
    readonly code: ProjectErrorCode,
    message: string,
    /** The zip entry the problem is in, when there is one. */
    readonly entry?: string,
    /** The JSON path inside that entry, when there is one. */
    readonly path?: string,
  ) {
    super(message);
  }

  /** One line for a terminal or a dialog: `project.json: graph.nodes[2].kind: unknown layer kind "Foo"`. */
  describe(): string {
    const where = [this.entry, this.path].filter((s): s is string => !!s && s.length > 0).join(': ');
    return where ? `${where}: ${this.message}` : this.message;
  }
}

/** `['graph', 'nodes', 3, 'params']` -> `graph.nodes[3].params` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_$][\w$]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}
