#!/usr/bin/python3
"""PyTorch side of the Fashion-MNIST accuracy comparison (the C# side is samples/FashionMnist).

Trains LeNet-5 (or the MLP of the sample) with exactly the sample's recipe: pixels/255, SGD lr 0.01
momentum 0.9, batch 64, last partial batch kept, reshuffled every epoch, PyTorch's default init;
prints the test accuracy and wall time of every epoch.

    /usr/bin/python3 bench/fashion_torch.py [--model lenet|mlp] [--epochs 5] [--threads 2] [--seed 0]

Runs in the "tuned" configuration of ../shared/bench/torch_ref.py (OpenBLAS with AVX-512), which it
sets up by re-executing itself, since the loader reads those variables only at process start.
"""
import argparse, gzip, os, struct, sys, time

LIBDIR = "/usr/lib/x86_64-linux-gnu"
TUNED = {"LD_LIBRARY_PATH": f"{LIBDIR}/openblas-openmp", "OPENBLAS_CORETYPE": "SkylakeX",
         "ATEN_CPU_CAPABILITY": "avx512", "MALLOC_MMAP_THRESHOLD_": "33554432",
         "MALLOC_TRIM_THRESHOLD_": "17179869184"}
if os.environ.get("FASHION_TORCH_CONFIGURED") != "1":
    env = dict(os.environ, FASHION_TORCH_CONFIGURED="1", **TUNED)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = struct.unpack(">I", data[:4])[0] & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def models(name):
    if name == "lenet":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), (1, 28, 28)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)), (784,)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="lenet", choices=["lenet", "mlp"])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    load = lambda n: torch.from_numpy(read_idx(os.path.join(a.data, n)).astype(np.float32) / 255.0)
    xtr, xte = load("train-images-idx3-ubyte.gz"), load("t10k-images-idx3-ubyte.gz")
    ytr = torch.from_numpy(read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    yte = torch.from_numpy(read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    torch.manual_seed(a.seed)
    model, shape = models(a.model)
    xtr, xte = xtr.reshape(-1, *shape), xte.reshape(-1, *shape)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9)
    gen = torch.Generator().manual_seed(a.seed + 1)
    print(f"PyTorch {torch.__version__}, {a.threads} threads, {a.model}, batch {a.batch}, SGD lr {a.lr} momentum 0.9")
    for epoch in range(1, a.epochs + 1):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=gen)
        t0 = time.perf_counter()
        loss_sum, n = 0.0, 0
        for i in range(0, xtr.shape[0], a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            n += len(idx)
        seconds = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, xte.shape[0], 1000))
        print(f"  epoch {epoch}/{a.epochs}  loss {loss_sum / n:.4f}  test accuracy {100 * correct / xte.shape[0]:.2f}%  ({seconds:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
