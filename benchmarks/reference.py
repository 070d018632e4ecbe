"""Benchmark of the reference ``solutions.conv_forward`` against other ways of computing a conv layer.

What it measures
----------------
One conv layer's forward pass at a fixed size: X (32, 32, 32, 16) channels last,
W (3, 3, 16, 32), b (32,), pad 1, stride 1, float64, random data from
``np.random.default_rng(SEED)``.  Every method gets the same inputs.

* ``conv_forward`` -- the vectorized reference (im2col + one matrix product).
* ``loops``        -- the formula written out: plain Python loops over n, output row,
                      output col and filter k, each output ``np.sum(window * W[..., k]) + b[k]``.
                      It is slow, so it is timed on the first ``LOOP_IMAGES`` images only and
                      the time is scaled linearly to N=32 (the output says "extrapolated").
* ``torch``        -- ``torch.nn.functional.conv2d`` in float64 on NCHW tensors that were
                      permuted/made contiguous beforehand, so only the convolution is timed.
                      A second row includes the NHWC -> NCHW -> NHWC conversions, which is
                      what a caller holding channels-last NumPy arrays would pay.  Skipped
                      (with the reason) if ``torch`` does not import.
* ``scipy``        -- ``scipy.signal.correlate`` of the zero-padded batch (N, n_H+2, n_W+2, n_C)
                      with each filter (1, f, f, n_C), mode='valid', one call per filter k;
                      scipy picks direct or FFT itself (the choice is printed).  Skipped if
                      ``scipy`` does not import.

Times are the best of ``REPEATS`` runs after one warm-up run (time.perf_counter,
garbage collector off while timing, like ``timeit``).  Every method's output is checked
against conv_forward's with ``np.allclose`` and the max abs difference is printed.

How to read it
--------------
The table gives seconds per full forward pass (N=32) and the ratio to conv_forward
("12.3x slower than conv_forward" means that method takes 12.3 times as long).
The targets are checked at the end:

* conv_forward at least 100x faster than the loop version;
* conv_forward no slower than torch's float64 conv2d (bare conv2d, the stricter row).

Each prints MET, NOT MET, or SKIPPED (when torch is missing).  Timings depend on the
machine and its BLAS thread count (printed at the top); rerun on a quiet machine
before drawing conclusions.  Peak memory is what ``tracemalloc`` sees during one
conv_forward call: NumPy's array allocations, not BLAS's internal work buffers.

Run from the repository root:  ``python benchmarks/reference.py``.
Exit status 0, unless some method's output disagrees with conv_forward's (then 1).
"""

from __future__ import annotations

import gc
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

# Run as a script, sys.path[0] is benchmarks/; the package lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solutions import conv_forward  # noqa: E402

SEED = 0
N, N_H, N_W, N_C = 32, 32, 32, 16
F, K = 3, 32
PAD, STRIDE = 1, 1
REPEATS = 5  # best of REPEATS after one warm-up, for the fast methods
LOOP_IMAGES = 2  # the loop version runs on X[:LOOP_IMAGES] and is scaled to N
LOOP_REPEATS = 3
MIB = 2**20


def best_time(fn, repeats=REPEATS, warmup=True):
    """Best wall time of ``repeats`` calls of ``fn()`` (after one warm-up call); returns (seconds, last result)."""
    result = fn() if warmup else None
    times = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return min(times), result


def conv_loops(X, W, b, stride=1, pad=0):
    """The formula, straight: loops over n, r, c, k; each output is np.sum(window * W[..., k]) + b[k]."""
    n_imgs, n_H, n_W, _ = X.shape
    f, K_ = W.shape[0], W.shape[3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    n_H_out = (n_H + 2 * pad - f) // stride + 1
    n_W_out = (n_W + 2 * pad - f) // stride + 1
    Z = np.zeros((n_imgs, n_H_out, n_W_out, K_))
    for n in range(n_imgs):
        for r in range(n_H_out):
            for c in range(n_W_out):
                window = Xp[n, r * stride : r * stride + f, c * stride : c * stride + f, :]
                for k in range(K_):
                    Z[n, r, c, k] = np.sum(window * W[..., k]) + b[k]
    return Z


def compare(name, Z, Z_ref):
    """Print whether Z agrees with Z_ref; return True if it does."""
    if Z.shape != Z_ref.shape:
        print(f"  {name}: shape {Z.shape} != conv_forward's {Z_ref.shape}  -> DISAGREES")
        return False
    ok = bool(np.allclose(Z, Z_ref))
    diff = float(np.max(np.abs(Z - Z_ref)))
    print(f"  {name}: np.allclose = {ok}, max abs difference = {diff:.3e}  -> {'agrees' if ok else 'DISAGREES'}")
    return ok


def ratio_text(t, t_ref):
    if t >= t_ref:
        return f"{t / t_ref:,.1f}x slower than conv_forward"
    return f"{t_ref / t:,.2f}x faster than conv_forward"


def print_machine():
    print("Machine")
    print(f"  platform           : {platform.platform()}")
    print(f"  processor          : {platform.processor() or '(empty)'} / machine {platform.machine()}")
    print(f"  os.cpu_count()     : {os.cpu_count()}")
    if hasattr(os, "sched_getaffinity"):
        print(f"  usable CPUs        : {len(os.sched_getaffinity(0))}")
    print(f"  python             : {platform.python_version()}")
    print(f"  numpy              : {np.__version__}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError as error:
        print(f"  BLAS (threadpoolctl): skipped ({error})")
    else:
        for pool in threadpool_info():
            print(
                f"  BLAS (threadpoolctl): {pool.get('internal_api')} {pool.get('version')}, "
                f"{pool.get('num_threads')} threads, {pool.get('user_api')}"
            )


def main() -> int:
    print(__doc__.strip().splitlines()[0])
    print()
    print_machine()

    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((N, N_H, N_W, N_C))
    W = rng.standard_normal((F, F, N_C, K))
    b = rng.standard_normal(K)
    print()
    print(
        f"Problem: X {X.shape}, W {W.shape}, b {b.shape}, pad {PAD}, stride {STRIDE}, "
        f"float64, np.random.default_rng({SEED})"
    )

    rows = []  # (method, seconds, note)
    all_agree = True
    skipped = {}

    # --- conv_forward (the reference) ---------------------------------------------
    t_cf, Z_ref = best_time(lambda: conv_forward(X, W, b, stride=STRIDE, pad=PAD))
    rows.append(("conv_forward", t_cf, f"best of {REPEATS}"))
    print(f"Output: {Z_ref.shape}")
    print()
    print("Correctness (against conv_forward)")

    # --- loops ----------------------------------------------------------------------
    X_sub = X[:LOOP_IMAGES]
    t_sub, Z_loop = best_time(lambda: conv_loops(X_sub, W, b, stride=STRIDE, pad=PAD), repeats=LOOP_REPEATS, warmup=False)
    t_loops = t_sub * N / LOOP_IMAGES
    all_agree &= compare(f"loops (on the first {LOOP_IMAGES} images)", Z_loop, Z_ref[:LOOP_IMAGES])
    rows.append(
        (
            "loops",
            t_loops,
            f"EXTRAPOLATED: {t_sub:.3f} s on {LOOP_IMAGES} images (best of {LOOP_REPEATS}) x {N // LOOP_IMAGES}",
        )
    )

    # --- torch ----------------------------------------------------------------------
    t_torch = None
    try:
        import torch
        import torch.nn.functional as TF
    except Exception as error:  # ImportError, or a broken install
        skipped["torch"] = f"torch does not import ({type(error).__name__}: {error})"
        print(f"  torch: SKIPPED, {skipped['torch']}")
    else:
        Xt = torch.from_numpy(X).permute(0, 3, 1, 2).contiguous()  # (N, n_C, n_H, n_W)
        Wt = torch.from_numpy(W).permute(3, 2, 0, 1).contiguous()  # (K, n_C, f, f)
        bt = torch.from_numpy(b)
        with torch.no_grad():
            t_torch, Zt = best_time(lambda: TF.conv2d(Xt, Wt, bt, stride=STRIDE, padding=PAD))

            def torch_with_layout():
                Xn = torch.from_numpy(X).permute(0, 3, 1, 2).contiguous()
                Wn = torch.from_numpy(W).permute(3, 2, 0, 1).contiguous()
                return TF.conv2d(Xn, Wn, bt, stride=STRIDE, padding=PAD).permute(0, 2, 3, 1).contiguous().numpy()

            t_torch_layout, Z_torch_layout = best_time(torch_with_layout)
        Z_torch = Zt.permute(0, 2, 3, 1).numpy()
        all_agree &= compare("torch conv2d", Z_torch, Z_ref)
        all_agree &= compare("torch conv2d + layout", Z_torch_layout, Z_ref)
        threads = torch.get_num_threads()
        rows.append(("torch conv2d (float64)", t_torch, f"torch {torch.__version__}, {threads} threads, NCHW in/out"))
        rows.append(("torch conv2d + layout", t_torch_layout, "incl. NHWC->NCHW->NHWC copies"))

    # --- scipy ----------------------------------------------------------------------
    try:
        import scipy
        import scipy.signal
    except Exception as error:
        skipped["scipy"] = f"scipy does not import ({type(error).__name__}: {error})"
        print(f"  scipy: SKIPPED, {skipped['scipy']}")
    else:
        Xp = np.pad(X, ((0, 0), (PAD, PAD), (PAD, PAD), (0, 0)))
        method = scipy.signal.choose_conv_method(Xp, W[None, ..., 0], mode="valid")

        def conv_scipy():
            maps = [scipy.signal.correlate(Xp, W[None, ..., k], mode="valid")[..., 0] for k in range(K)]
            Z = np.stack(maps, axis=-1) + b
            return Z[:, ::STRIDE, ::STRIDE]

        t_scipy, Z_scipy = best_time(conv_scipy)
        all_agree &= compare("scipy.signal.correlate", Z_scipy, Z_ref)
        rows.append(("scipy.signal.correlate", t_scipy, f"scipy {scipy.__version__}, method={method!r}, {K} calls"))

    # --- peak memory ----------------------------------------------------------------
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    Z_mem = conv_forward(X, W, b, stride=STRIDE, pad=PAD)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak -= base
    x_mib, z_mib = X.nbytes / MIB, Z_mem.nbytes / MIB
    del Z_mem

    # --- report ---------------------------------------------------------------------
    print()
    print(f"Timings (N={N}, seconds per forward pass)")
    width = max(len(r[0]) for r in rows)
    for name, t, note in rows:
        ratio = "(reference)" if name == "conv_forward" else ratio_text(t, t_cf)
        print(f"  {name:<{width}}  {t:10.4f} s   {ratio:<34}  {note}")
    for name, reason in skipped.items():
        print(f"  {name:<{width}}  {'-':>10}     SKIPPED: {reason}")
    print("  (loops = plain Python loops over n, r, c, k with np.sum(window * W[..., k]) + b[k])")

    print()
    print("Peak memory during one conv_forward call (tracemalloc: NumPy allocations, not BLAS work buffers)")
    print(f"  peak traced        : {peak / MIB:8.2f} MiB")
    print(f"  input X            : {x_mib:8.2f} MiB  (peak = {peak / MIB / x_mib:.1f}x X)")
    print(f"  output Z           : {z_mib:8.2f} MiB  (peak = {peak / MIB / z_mib:.1f}x Z)")
    col_mib = N * Z_ref.shape[1] * Z_ref.shape[2] * F * F * N_C * 8 / MIB
    print(f"  im2col matrix      : {col_mib:8.2f} MiB  (for scale: {Z_ref.shape[0] * Z_ref.shape[1] * Z_ref.shape[2]} x {F * F * N_C} float64)")

    print()
    print("Targets")
    speedup = t_loops / t_cf
    verdict = "MET" if speedup >= 100 else "NOT MET"
    print(f"  at least 100x faster than loops       : {verdict}  ({speedup:,.0f}x faster)")
    if t_torch is None:
        print(f"  no slower than torch float64 conv2d   : SKIPPED  ({skipped['torch']})")
    else:
        verdict = "MET" if t_cf <= t_torch else "NOT MET"
        print(f"  no slower than torch float64 conv2d   : {verdict}  ({t_cf:.4f} s vs {t_torch:.4f} s, torch is {ratio_text(t_torch, t_cf)})")

    print()
    if all_agree:
        print("All results agree with conv_forward.")
        return 0
    print("SOME RESULTS DISAGREE with conv_forward (see 'Correctness' above).")
    return 1


if __name__ == "__main__":
    sys.exit(main())
