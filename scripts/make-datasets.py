#!/usr/bin/python3
"""Writes the built-in real datasets to assets/datasets/ from the copies bundled with scikit-learn.

Run with Debian's Python (the python3 on PATH may not be Debian's):

    apt-get install -y python3-sklearn   # if `/usr/bin/python3 -c 'import sklearn'` fails
    /usr/bin/python3 scripts/make-datasets.py

Outputs (deterministic; rerunning gives byte-identical files):
  assets/datasets/iris.csv        150 rows: sepal_length,sepal_width,petal_length,petal_width,species
  assets/datasets/digits.bin.gz   1,797 records of 65 bytes: 64 pixels (8x8, row-major, 0..16), then the label 0..9
  assets/datasets/checksums.json  sha256 of each file, checked by test/unit/datasets
Licences and citations: assets/datasets/README.md.
"""
import gzip
import hashlib
import json
import os
import sys

from sklearn.datasets import load_digits, load_iris

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'assets', 'datasets')


def write_iris(path):
    iris = load_iris()
    names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']
    lines = [','.join(names + ['species'])]
    for row, target in zip(iris.data, iris.target):
        lines.append(','.join('%g' % v for v in row) + ',' + str(iris.target_names[target]))
    with open(path, 'w', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')
    return len(iris.data)


def write_digits(path):
    digits = load_digits()
    out = bytearray()
    for image, target in zip(digits.data, digits.target):
        pixels = [int(v) for v in image]
        assert len(pixels) == 64 and all(0 <= p <= 16 for p in pixels)
        out.extend(pixels)
        out.append(int(target))
    # mtime=0 and no file name: the gzip bytes depend only on the data.
    with open(path, 'wb') as f:
        with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(bytes(out))
    return len(digits.data)


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    os.makedirs(OUT, exist_ok=True)
    iris_path = os.path.join(OUT, 'iris.csv')
    digits_path = os.path.join(OUT, 'digits.bin.gz')
    n_iris = write_iris(iris_path)
    n_digits = write_digits(digits_path)
    sums = {
        'iris.csv': {'rows': n_iris, 'sha256': sha256(iris_path)},
        'digits.bin.gz': {'rows': n_digits, 'sha256': sha256(digits_path)},
    }
    with open(os.path.join(OUT, 'checksums.json'), 'w', newline='\n') as f:
        json.dump(sums, f, indent=2, sort_keys=True)
        f.write('\n')
    print('wrote %d iris rows, %d digit images to %s' % (n_iris, n_digits, os.path.normpath(OUT)), file=sys.stderr)


if __name__ == '__main__':
    main()
