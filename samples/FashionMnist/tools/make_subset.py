#!/usr/bin/env python3
"""Make the small Fashion-MNIST subset bundled with the FashionMnist sample.

The full data set (60,000 training and 10,000 test images) comes from Debian's
`dataset-fashion-mnist` package, installed in /usr/share/datasets/fashion-mnist/.
It is ~30 MB compressed, too large to commit, so the sample ships a stratified
subset: the same number of images of every class, drawn with a fixed seed.

How the subset is drawn (per split, train and test independently):
  1. group the source indices by label, each group in source order;
  2. shuffle each group with Fisher-Yates driven by SplitMix64 seeded with
     SEED + split number (0 = train, 1 = test) -- a generator written out below,
     so the result does not depend on the Python version;
  3. keep the first PER_CLASS indices of every group;
  4. sort the kept indices, so the subset keeps the source order (which already
     mixes the classes).
The files are written in the original IDX format, gzip level 9 with a zero
timestamp and no file name, so re-running the script reproduces them byte for byte.

Usage (only the Python 3 standard library is needed):
  python3 samples/FashionMnist/tools/make_subset.py [--source DIR] [--out DIR]
      [--train-per-class N] [--test-per-class N] [--seed S] [--max-bytes B]
"""
import argparse
import gzip
import os
import struct
import sys

MASK64 = (1 << 64) - 1


class SplitMix64:
    """Steele, Lea & Flood's SplitMix64: tiny, well mixed, fully specified here."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, bound):
        """Uniform integer in [0, bound) by rejection (no modulo bias)."""
        limit = (1 << 64) - ((1 << 64) % bound)
        while True:
            r = self.next_u64()
            if r < limit:
                return r % bound


def read_idx(path, expected_magic):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4:
        sys.exit(f"{path}: truncated ({len(raw)} bytes)")
    (magic,) = struct.unpack(">I", raw[:4])
    if magic != expected_magic:
        sys.exit(f"{path}: magic 0x{magic:08X}, expected 0x{expected_magic:08X}")
    rank = magic & 0xFF
    dims = list(struct.unpack(f">{rank}I", raw[4:4 + 4 * rank]))
    header = 4 + 4 * rank
    size = 1
    for d in dims:
        size *= d
    if len(raw) != header + size:
        sys.exit(f"{path}: {len(raw)} bytes, expected {header + size} for dimensions {dims}")
    return dims, raw[header:]


def write_idx_gz(path, magic, dims, payload):
    header = struct.pack(">I", magic) + struct.pack(f">{len(dims)}I", *dims)
    # mtime=0 and an empty file name keep the output reproducible.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(header)
        gz.write(payload)
    return os.path.getsize(path)


def stratified(labels, per_class, seed):
    groups = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    rng = SplitMix64(seed)
    kept = []
    for label in sorted(groups):
        group = groups[label]
        if len(group) < per_class:
            sys.exit(f"class {label} has only {len(group)} samples, {per_class} wanted")
        for i in range(len(group) - 1, 0, -1):  # Fisher-Yates
            j = rng.below(i + 1)
            group[i], group[j] = group[j], group[i]
        kept.extend(group[:per_class])
    return sorted(kept)


def make_split(source, out, prefix, split_number, per_class, seed):
    image_dims, images = read_idx(os.path.join(source, f"{prefix}-images-idx3-ubyte.gz"), 0x00000803)
    label_dims, labels = read_idx(os.path.join(source, f"{prefix}-labels-idx1-ubyte.gz"), 0x00000801)
    if image_dims[0] != label_dims[0]:
        sys.exit(f"{prefix}: {image_dims[0]} images but {label_dims[0]} labels")
    pixels = image_dims[1] * image_dims[2]
    kept = stratified(labels, per_class, seed + split_number)
    sub_images = b"".join(images[i * pixels:(i + 1) * pixels] for i in kept)
    sub_labels = bytes(labels[i] for i in kept)
    n = len(kept)
    size = write_idx_gz(os.path.join(out, f"{prefix}-images-idx3-ubyte.gz"), 0x00000803, [n] + image_dims[1:], sub_images)
    size += write_idx_gz(os.path.join(out, f"{prefix}-labels-idx1-ubyte.gz"), 0x00000801, [n], sub_labels)
    print(f"{prefix}: {n} of {image_dims[0]} samples ({per_class} per class), {size:,} bytes compressed")
    return size


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", default=os.path.join(here, "..", "data"))
    parser.add_argument("--train-per-class", type=int, default=900)
    parser.add_argument("--test-per-class", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--max-bytes", type=int, default=5_000_000)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = make_split(args.source, args.out, "train", 0, args.train_per_class, args.seed)
    total += make_split(args.source, args.out, "t10k", 1, args.test_per_class, args.seed)
    print(f"total: {total:,} bytes")
    if total > args.max_bytes:
        sys.exit(f"the bundle is {total:,} bytes, more than the {args.max_bytes:,} allowed")


if __name__ == "__main__":
    main()
