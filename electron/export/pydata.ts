/**
 * `data.py`, shared by the PyTorch and Keras exports: loads the project's data without any framework
 * (flat `array.array`s plus shapes), from exported arrays (`data/dataset.safetensors`) or from a CSV
 * encoded with Netloom's preprocessing statistics (`preprocessing.json`).
 *
 * The preprocessing contract (`preprocessing.json`, written by the export when the caller has the
 * statistics of the CSV import, i.e. the dataset service's `CsvPreprocessing`):
 *   { format: 'netloom-preprocessing', version: 1, target, task: 'classification'|'regression',
 *     targetType: 'numeric'|'categorical', classes?: string[], delimiter, header,
 *     features: [ { column, type: 'numeric', mean, std, fill? }
 *               | { column, type: 'categorical', encoding: 'one-hot'|'index', categories, mean?, std?, fill? }
 *               | { column, type: 'text' } ],          // in the order of the values in x
 *     tokenizer?: { words: string[] (0 '<pad>', 1 '<unk>'), maxLength } }
 * Without it, data.py fits the same kind of statistics on the CSV it is given (all rows) and writes
 * the file, so predict.py encodes new rows the same way.
 */
import type { DataSpec } from '../../shared/ir/schema';

export const PREPROCESSING_FORMAT = 'netloom-preprocessing';

export interface DataPyOptions {
  projectName: string;
  spec: DataSpec | null;
  sampleShape: readonly (number | null)[];
  sampleDtype: 'float32' | 'int32';
  /** Files (relative to the export) tried in order when no path is given. */
  defaultSources: readonly string[];
}

const pyLiteral = (v: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(v))})`;

/** The module docstring: what load() reads, in which order. */
function docstring(o: DataPyOptions): string {
  return `"""Data for the Netloom project ${JSON.stringify(o.projectName)}: CSV files or exported arrays.

No framework needed: samples come back as flat \`array.array\`s plus shapes; train.py and
predict.py turn them into tensors.

load(path) reads, in this order of preference:
  1. the path given: a .csv file, or a .safetensors file holding arrays \`x\` and \`y\`;
  2. ${o.defaultSources.length ? o.defaultSources.join(', then ') : '(nothing was exported with the project: pass a path)'}.

A CSV is encoded with the statistics in preprocessing.json (the ones Netloom used, when the export
had them). Without that file, the statistics are fitted on the CSV given (standardised numbers,
one-hot categories, a word vocabulary for text) and written to preprocessing.json, so predict.py
encodes new rows the same way. See README.md for the file's format.
"""`;
}

/** Imports and the constants the export fills in: the data spec, the sample shape and dtype, the files. */
function constants(o: DataPyOptions): string {
  const shape = o.sampleShape.map((d) => (d === null ? 'None' : String(d)));
  return `import array
import csv
import json
import math
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_SPEC = ${o.spec ? pyLiteral(o.spec) : 'None'}
SAMPLE_SHAPE = (${shape.join(', ')}${shape.length === 1 ? ',' : ''})  # one sample of the (first) model input
SAMPLE_DTYPE = ${JSON.stringify(o.sampleDtype)}
DEFAULT_SOURCES = ${JSON.stringify(o.defaultSources)}
PREPROCESSING_FILE = os.path.join(HERE, 'preprocessing.json')
MISSING = {'', 'na', 'n/a', 'nan', 'null', '?'}
ONE_HOT_MAX = 20
MAX_CLASSES_FOR_INTEGER_TARGET = 20`;
}

/** The Dataset class and the reader of exported arrays (.safetensors, with struct only). */
const ARRAYS_PY = `class Dataset:
    """x: count x prod(sample_shape) values (row-major); y: count x target_size values (or None)."""

    def __init__(self, x, sample_shape, x_dtype, y, target_size, task, classes=None, holdout=0):
        self.x, self.sample_shape, self.x_dtype = x, tuple(sample_shape), x_dtype
        self.y, self.target_size, self.task = y, target_size, task
        self.classes, self.holdout = classes, holdout
        per = 1
        for d in self.sample_shape:
            per *= d
        self.count = len(x) // max(per, 1)


def read_safetensors(path):
    """{name: (dtype, shape, array.array)} and the metadata of a .safetensors file (struct only)."""
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {}) or {}
    out = {}
    for name, info in header.items():
        start, end = info['data_offsets']
        values = array.array({'F32': 'f', 'I32': 'i'}[info['dtype']])
        values.frombytes(raw[8 + n + start:8 + n + end])
        if sys.byteorder == 'big':
            values.byteswap()
        out[name] = (info['dtype'], tuple(info['shape']), values)
    return out, meta


def load_arrays(path):
    """Arrays exported by Netloom: x [count, ...sample], y [count] (class ids) or [count, k] (values)."""
    tensors, meta = read_safetensors(path)
    _, x_shape, x = tensors['x']
    y_shape, y = (tensors['y'][1], tensors['y'][2]) if 'y' in tensors else ((), None)
    classes = json.loads(meta['classes']) if meta.get('classes') else None
    target_size = 1 if len(y_shape) < 2 else y_shape[1]
    return Dataset(x, x_shape[1:], 'int32' if x.typecode == 'i' else 'float32', y, target_size,
                   meta.get('task', 'classification' if classes else 'regression'), classes,
                   int(meta.get('holdout', '0')))`;

/** Reading a CSV: tokens, missing values, numbers, the delimiter and the header. */
const CSV_PY = `# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

TOKEN = re.compile(r"[^\\W_]+(?:'[^\\W\\d_]+)?")


def tokenize(text):
    return TOKEN.findall(text.lower())


def is_missing(value):
    return value.strip().lower() in MISSING


def as_number(value):
    try:
        v = float(value)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_csv(path, delimiter=None, header=None):
    with open(path, newline='', encoding='utf-8-sig') as f:
        text = f.read()
    if delimiter is None:
        first = text.split('\\n', 1)[0]
        delimiter = max([',', ';', '\\t'], key=first.count)
    rows = [r for r in csv.reader(text.splitlines(), delimiter=delimiter) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f'{path}: the file has no rows')
    if header is None:  # a header unless one of the first row's fields is a number
        header = not any(as_number(v) is not None for v in rows[0])
    names = [c.strip() for c in rows[0]] if header else [f'column_{i + 1}' for i in range(len(rows[0]))]
    body = rows[1:] if header else rows
    for i, r in enumerate(body):
        if len(r) != len(names):
            raise ValueError(f'{path}: line {i + 1 + int(header)} has {len(r)} fields, expected {len(names)}')
    return names, body, delimiter, header`;

/** preprocessing.json: read, written, or fitted on a CSV like Netloom's import. */
const PREPROCESSING_PY = `def load_preprocessing(path=PREPROCESSING_FILE):
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        prep = json.load(f)
    if prep.get('format', '${PREPROCESSING_FORMAT}') != '${PREPROCESSING_FORMAT}':
        raise ValueError(f'{path} is not a Netloom preprocessing file')
    return prep


def save_preprocessing(prep, path=PREPROCESSING_FILE):
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(prep, f, indent=2)
    os.replace(tmp, path)


def _mean_std(values):
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return mean, (std if std > 0 else 1.0)


def fit_preprocessing(names, rows, delimiter=',', header=True):
    """Statistics like Netloom's CSV import, fitted on these rows."""
    spec = DATA_SPEC if DATA_SPEC and DATA_SPEC.get('source') == 'csv' else {}
    chosen = {c['name']: c for c in spec.get('columns', [])}
    target = spec.get('target') or next((n for n, c in chosen.items() if c['role'] == 'target'), None) or names[-1]
    if target not in names:
        raise ValueError(f'the target column {target!r} is not in the CSV (columns: {", ".join(names)})')
    features = []
    tokenizer = None
    for j, name in enumerate(names):
        if name == target or chosen.get(name, {}).get('role') == 'ignore':
            continue
        present = [r[j] for r in rows if not is_missing(r[j])]
        numbers = [as_number(v) for v in present]
        kind = chosen.get(name, {}).get('type')
        if kind is None:
            if present and sum(v is not None for v in numbers) >= 0.9 * len(present):
                kind = 'numeric'
            elif present and sum(len(v.split()) for v in present) / len(present) >= 3:
                kind = 'text'
            else:
                kind = 'categorical'
        if kind == 'numeric':
            values = [v for v in numbers if v is not None]
            if not values or max(values) == min(values):
                continue  # constant: carries no information (Netloom drops it too)
            mean, std = _mean_std(values)
            f = {'column': name, 'type': 'numeric', 'mean': mean, 'std': std}
            if len(values) < len(rows):
                f['fill'] = mean
            features.append(f)
        elif kind == 'text':
            counts = {}
            for v in present:
                for w in tokenize(v):
                    counts[w] = counts.get(w, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            vocab = 10000
            length = SAMPLE_SHAPE[0] if SAMPLE_DTYPE == 'int32' and SAMPLE_SHAPE and SAMPLE_SHAPE[0] else 100
            tokenizer = {'words': ['<pad>', '<unk>'] + [w for w, _ in ranked[:vocab - 2]], 'maxLength': length}
            features = [{'column': name, 'type': 'text'}]
            break
        else:
            categories = sorted(set(present))
            f = {'column': name, 'type': 'categorical', 'categories': categories}
            if len(categories) <= ONE_HOT_MAX:
                f['encoding'] = 'one-hot'
            else:
                f['encoding'] = 'index'
                f['mean'], f['std'] = _mean_std([categories.index(v) for v in present])
            features.append(f)
    t = names.index(target)
    values = [r[t] for r in rows]
    if any(is_missing(v) for v in values):
        raise ValueError(f'the target column {target!r} has missing values')
    numbers = [as_number(v) for v in values]
    prep = {'format': '${PREPROCESSING_FORMAT}', 'version': 1, 'target': target, 'features': features,
            'delimiter': delimiter, 'header': header}
    if tokenizer:
        prep['tokenizer'] = tokenizer
    if all(v is not None for v in numbers):
        distinct = sorted(set(numbers))
        if all(v == int(v) for v in distinct) and len(distinct) <= MAX_CLASSES_FOR_INTEGER_TARGET:
            prep.update(task='classification', targetType='numeric', classes=[_num_name(v) for v in distinct])
        else:
            prep.update(task='regression', targetType='numeric')
    else:
        prep.update(task='classification', targetType='categorical', classes=sorted(set(values)))
    return prep


def _num_name(v):
    return str(int(v)) if v == int(v) else str(v)`;

/** A CSV's rows as x and y, with the statistics of preprocessing.json. */
const ENCODE_PY = `def encode(names, rows, prep, path='data'):
    """x (flat) and y (or None when the target column is absent) for these rows."""
    index = {n: j for j, n in enumerate(names)}
    text = prep.get('tokenizer')
    x = array.array('i' if text else 'f')
    words = {w: i for i, w in enumerate(text['words']) if i > 1} if text else {}
    for f in prep['features']:
        if f['column'] not in index:
            raise ValueError(f'{path}: the column {f["column"]!r} is missing (columns: {", ".join(names)})')
    for line, r in enumerate(rows, start=1 + int(prep.get('header', True))):
        for f in prep['features']:
            v = r[index[f['column']]]
            if f['type'] == 'text':
                ids = [words.get(w, 1) for w in tokenize(v)][: text['maxLength']]
                x.extend([0] * (text['maxLength'] - len(ids)) + ids)  # padded at the front
            elif f['type'] == 'numeric':
                a = as_number(v) if not is_missing(v) else f.get('fill')
                if a is None:
                    raise ValueError(f'{path}: line {line}, column {f["column"]!r}: {v!r} is not a number')
                x.append((a - f['mean']) / f['std'])
            else:
                cats = f['categories']
                v = f.get('fill', v) if is_missing(v) else v
                k = cats.index(v) if v in cats else -1
                if f['encoding'] == 'one-hot':
                    x.extend(1.0 if i == k else 0.0 for i in range(len(cats)))
                else:
                    x.append((k - f['mean']) / f['std'] if k >= 0 else float('nan'))
    y = None
    if prep['target'] in index:
        t = index[prep['target']]
        if prep['task'] == 'classification':
            classes = prep['classes']
            lookup = {c: i for i, c in enumerate(classes)}
            y = array.array('f')
            for line, r in enumerate(rows, start=1 + int(prep.get('header', True))):
                v = r[t].strip()
                if prep.get('targetType') == 'numeric' and as_number(v) is not None:
                    v = _num_name(as_number(v))
                if v not in lookup:
                    raise ValueError(f'{path}: line {line}: class {v!r} is not one of {classes}')
                y.append(lookup[v])
        else:
            y = array.array('f', [as_number(r[t]) for r in rows])
    per = len(x) // max(len(rows), 1)
    return x, (per,), y`;

/** load(): the path given, else the exported data, shaped for the model's first input. */
const LOAD_PY = `def load_csv(path, prep=None, fit=True):
    """A CSV encoded with preprocessing.json (or statistics fitted here, then saved)."""
    prep = prep or load_preprocessing()
    names, rows, delimiter, header = read_csv(path, prep.get('delimiter') if prep else None,
                                              prep.get('header') if prep else None)
    if prep is None:
        if not fit:
            raise ValueError('preprocessing.json is missing: train first (train.py writes it) or export it from Netloom')
        prep = fit_preprocessing(names, rows, delimiter, header)
        save_preprocessing(prep)
    x, shape, y = encode(names, rows, prep, path)
    task = prep['task']
    return Dataset(x, shape, 'int32' if x.typecode == 'i' else 'float32', y, 1, task, prep.get('classes'))


def resolve(path=None):
    if path:
        return path
    for candidate in DEFAULT_SOURCES:
        full = os.path.join(HERE, candidate)
        if os.path.exists(full):
            return full
    raise FileNotFoundError('no data: pass --data FILE.csv (or a .safetensors file of arrays x and y)')


def load(path=None, fit=True):
    """The dataset at path (or the exported one), shaped to SAMPLE_SHAPE when the sizes agree."""
    path = resolve(path)
    ds = load_arrays(path) if path.endswith('.safetensors') else load_csv(path, fit=fit)
    want = tuple(d for d in SAMPLE_SHAPE)
    if None not in want and ds.sample_shape != want:
        per = 1
        for d in want:
            per *= d
        if len(ds.x) != per * ds.count:
            raise ValueError(f'{path}: samples have {len(ds.x) // max(ds.count, 1)} values, the model expects {want}')
        ds.sample_shape = want
    return ds`;

export function dataPy(o: DataPyOptions): string {
  return `${docstring(o)}\n${[constants(o), ARRAYS_PY, CSV_PY, PREPROCESSING_PY, ENCODE_PY, LOAD_PY].join('\n\n\n')}\n`;
}
