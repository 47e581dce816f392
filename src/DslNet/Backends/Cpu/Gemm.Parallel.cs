using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace DslNet.Backends.Cpu;

// Multi-threaded GEMM, dynamically scheduled. The product runs the five loops' stages in order, one
// stage per (column block jc, K block p0). The operand that every thread reads in a stage is packed
// once into a shared double buffer (stage s uses half s mod 2); the rest of the stage is cut into
// units that each pack their own piece of the other operand and run the macro-kernel on it:
//
//   row mode (C tall: m > ColumnModeMaxRows):  shared = the KC×NC block of B, packed by "pack units"
//     (groups of NR-wide column panels); "compute units" = row blocks of C: pack the A rows, multiply
//     them by the whole B block (as one M block of the five loops does).
//   column mode (C short, such as a Dense layer's batch):  shared = all of A's rows for the K block,
//     packed by pack units (groups of MR-tall row panels); compute units = column groups of C: pack
//     the B columns, multiply every A block by them.
//
// Units are claimed from one atomic counter in the order
//   pack(0)…, compute(0)…, pack(1)…, compute(1)…, …
// by whichever thread is free (WorkerPool.RunCooperative): the caller starts at once, a worker joins
// when it wakes if the product is not finished, and nobody waits for a thread to show up. A unit
// waits only for units claimed before it: a compute unit of stage s for the pack units of stage s and
// for its own rows/columns in stage s − 1 (C is summed over K in order), a pack unit of stage s for
// the compute units of stage s − 2 (which read the half it overwrites). The earliest unfinished
// claimed unit therefore never waits, so the product always progresses; a descheduled thread holds up
// only the units that depend on the one it holds. Each element of C gets the same micro-kernel sums,
// K block after K block, as on one thread, so the bits do not depend on the thread count or on which
// thread ran which unit.
//
// This replaced one fixed share per thread whose shares met at a spin barrier for every shared
// packed block, after the caller had waited (up to a join timeout) for every worker to join: a
// thread the operating system had descheduled held every barrier up for a time slice, and a worker
// that woke late got no share at all once the caller had gone alone. Same-process A/B at 2 threads
// (calls of the two alternated, medians; 2026-12-03, the machine shared with other work, load 3–5),
// old → new, ms:
//
//   product (m×n×k)                 no competitor              `taskset -c 1 yes` running
//   SGEMM 1024³                     12.0 → 11.6  (−3 %)        30.7 → 21.1  (−31 %)
//   SGEMM 2048³                     87.2 → 87.1  (0 %)         178 → 137    (−23 %)
//   W1 forward 128×512×784          0.83 → 0.74              2.85 → 1.11
//   W1 forward 128×256×512          0.26 → 0.25              1.86 → 0.33
//   W1 dx2 128×512×256              0.25 → 0.22              1.29 → 0.32
//   W1 dW1 512×784×128              0.75 → 0.68              1.57 → 1.04
//   W1 dW2 256×512×128              0.25 → 0.22              1.27 → 0.29
//
// (W1's 256→10 products take the few-rows path and its dx3 and dW3, 0.7 Mflop, stay on one thread.)
// In quieter minutes the small products measured within ±3 % of the old path (fwd2, dx2 +3 %, fwd1
// −3 %), SGEMM within 2 %.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// The packed micro-kernel does about this many floating-point operations in the time the
    /// element-wise kernels, for which <see cref="WorkerPool.MinimumWorkPerPart"/> is calibrated, do one
    /// unit of work.
    /// </summary>
    internal const double FlopsPerWorkUnit = 10;

    /// <summary>
    /// Flops a thread's share of a product must carry per unit of <see cref="WorkerPool.MinimumWorkPerPart"/>
    /// (400k with the default, 4–8 µs of micro-kernel) for the product to be split: lower than
    /// <see cref="FlopsPerWorkUnit"/> because the threads meet spinning workers (a join and a claim per
    /// unit cost well under a microsecond), so LeNet's 120→84 layer at batch 64 (1.3 Mflop per product,
    /// ~20 µs on one thread) is worth splitting; the 84→10 layer (0.1 Mflop) still runs on the caller.
    /// </summary>
    internal const double MinimumShareFlopsPerWorkUnit = 4;

    /// <summary>
    /// Most rows of C for column mode; taller products run in row mode. Up to two M blocks the shared
    /// packed A (m × KC) stays small, and column mode keeps each packed B panel for all of C's rows:
    /// W1's dW2 product (256×512×128) ran 6–9 % faster than in row mode, its dW1 (512×784×128) 2–6 %
    /// slower (same-process A/B, 2 threads).
    /// </summary>
    internal static readonly int ColumnModeMaxRows = 2 * MC;

    /// <summary>
    /// Compute units a stage is cut into per thread, when the shape allows: enough that the threads
    /// finish close together however the units fall and that a late or descheduled thread leaves the
    /// others work to take, few enough that each still runs the micro-kernel for tens of microseconds
    /// (8 per thread measured the same as 4, within noise).
    /// </summary>
    internal const int UnitsPerThread = 4;

    /// <summary>Pack units a stage's shared block is cut into per thread.</summary>
    internal const int PackUnitsPerThread = 2;

    /// <summary>Least rows of a row-mode compute unit (each reads the whole packed B block once).</summary>
    internal static readonly int MinimumUnitRows = 4 * MR;

    /// <summary>Most columns of a column-mode compute unit: its packed B (KC × columns, 512 KiB) stays within half of L2.</summary>
    internal static readonly int MaximumUnitColumns = 8 * NR;

    /// <summary>Shared packing buffer (both halves), owned by the calling thread of a parallel product.</summary>
    [ThreadStatic] private static float[]? s_packShared;

    /// <summary>The calling thread's per-product scheduling counters (claim counter, stage and unit progress).</summary>
    [ThreadStatic] private static int[]? s_schedule;

    /// <summary>
    /// Test hook, read by the calling thread of each parallel product: called by every thread that takes
    /// part, with −1 before its first claim and then with the index of each unit before running it, and
    /// whether it runs on the calling thread (to delay a worker, or to make a unit throw).
    /// </summary>
    [ThreadStatic] internal static Action<int, bool>? UnitHookForTests;

    /// <summary>
    /// How a product is cut into units (see the file header): the mode, the rows (row mode) or columns
    /// (column mode) of C per compute unit, and the register panels of the shared operand per pack unit.
    /// </summary>
    internal readonly record struct ParallelPlan(bool ColumnMode, int UnitWidth, int PackPanels);

    /// <summary>
    /// Whether a product is split over <paramref name="pool"/> and how: false (one thread) without a
    /// pool of several threads, when each thread's share would carry too little work, or when C has
    /// room for only one compute unit.
    /// </summary>
    internal static bool PlanParallel(WorkerPool? pool, int m, int n, int k, out ParallelPlan plan)
    {
        plan = default;
        if (pool is null || pool.Threads == 1) return false;
        int threads = pool.Threads;
        if (2.0 * m * n * k / threads < MinimumShareFlopsPerWorkUnit * pool.MinimumWorkPerPart) return false;
        int computeUnits = UnitsPerThread * threads, packUnits = PackUnitsPerThread * threads;
        int bPanels = (Math.Min(n, NC) + NR - 1) / NR;
        if (m <= ColumnModeMaxRows)
        {
            if (bPanels < 2) return false;
            int panelsPerUnit = Math.Clamp((bPanels + computeUnits - 1) / computeUnits, 1, MaximumUnitColumns / NR);
            int aPanels = (m + MR - 1) / MR;
            plan = new ParallelPlan(true, panelsPerUnit * NR, (aPanels + packUnits - 1) / packUnits);
        }
        else
        {
            // Row blocks no taller than the five loops' M blocks, no shorter than MinimumUnitRows.
            int rows = Math.Min(BlockStep(m, MC, MR), Math.Max(MinimumUnitRows, RoundUp((m + computeUnits - 1) / computeUnits, MR)));
            if (rows >= m) return false;
            plan = new ParallelPlan(false, rows, (bPanels + packUnits - 1) / packUnits);
        }
        return true;
    }

    private static bool TryMultiplyParallel(bool transposeA, bool transposeB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, WorkerPool? pool)
    {
        if (!PlanParallel(pool, m, n, k, out var plan)) return false;
        var job = new DynamicProduct(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, plan);
        pool!.RunCooperative(ref job);
        return true;
    }

    /// <summary>One parallel product; every thread that takes part runs <see cref="Run"/> on the same instance.</summary>
    private struct DynamicProduct : ICooperativeJob
    {
        private readonly bool _transposeA, _transposeB, _accumulate, _columnMode;
        private readonly int _m, _n, _k, _lda, _ldb, _ldc;
        private readonly float* _a, _b, _c;
        private readonly float* _shared;
        private readonly int _sharedHalf, _kStep, _kBlocks, _mStep, _unitWidth, _packPanels;
        // Stages of full-width column blocks come first; the last column block may be narrower and so
        // have fewer units per stage.
        private readonly int _fullStages, _stages, _packFull, _computeFull, _packLast, _computeLast, _fullUnits, _units;
        // Scheduling counters in the caller's pinned buffer, each on its own cache line where written often:
        // next unit to claim, abort flag, per stage: pack units done and compute units done, per compute
        // unit: stages it has completed.
        private readonly int* _next, _aborted, _packDone, _computeDone, _chainDone;
        private readonly Action<int, bool>? _hook;
        private readonly int _callerThread;

        public DynamicProduct(bool transposeA, bool transposeB, int m, int n, int k, float* a, int lda, float* b, int ldb,
            float* c, int ldc, bool accumulate, ParallelPlan plan)
        {
            _transposeA = transposeA; _transposeB = transposeB; _accumulate = accumulate; _columnMode = plan.ColumnMode;
            _m = m; _n = n; _k = k; _a = a; _lda = lda; _b = b; _ldb = ldb; _c = c; _ldc = ldc;
            _unitWidth = plan.UnitWidth; _packPanels = plan.PackPanels;
            _kStep = BlockStep(k, KC, 1);
            _kBlocks = (k + _kStep - 1) / _kStep;
            _mStep = BlockStep(m, MC, MR);
            int fullBlocks = n / NC, lastWidth = n % NC;
            _fullStages = fullBlocks * _kBlocks;
            _stages = _fullStages + (lastWidth > 0 ? _kBlocks : 0);
            (_packFull, _computeFull) = UnitsPerStage(NC);
            (_packLast, _computeLast) = lastWidth > 0 ? UnitsPerStage(lastWidth) : (1, 1);
            _fullUnits = _fullStages * (_packFull + _computeFull);
            _units = _fullUnits + (_stages - _fullStages) * (_packLast + _computeLast);

            int half = _columnMode ? RoundUp(m, MR) * _kStep : _kStep * RoundUp(Math.Min(n, NC), NR);
            _sharedHalf = RoundUp(half, 16);
            _shared = PackBuffer(ref s_packShared, 2 * _sharedHalf);

            // Each counter array starts on its own cache line: they are written by different units.
            const int line = 16; // ints per cache line
            int stageLines = RoundUp(_stages, line), computeUnits = RoundUp(Math.Max(_computeFull, _computeLast), line);
            int length = 2 * line + 2 * stageLines + computeUnits;
            int* schedule = ScheduleBuffer(length);
            new Span<int>(schedule, length).Clear();
            _next = schedule;
            _aborted = schedule + line;
            _packDone = schedule + 2 * line;
            _computeDone = _packDone + stageLines;
            _chainDone = _computeDone + stageLines;
            _hook = UnitHookForTests;
            _callerThread = Environment.CurrentManagedThreadId;
        }

        /// <summary>Pack units and compute units of a stage whose column block is <paramref name="width"/> wide (clipped to n).</summary>
        private readonly (int Pack, int Compute) UnitsPerStage(int width)
        {
            int nc = Math.Min(width, _n);
            if (_columnMode)
                return (Ceil(Ceil(_m, MR), _packPanels), Ceil(nc, _unitWidth));
            return (Ceil(Ceil(nc, NR), _packPanels), Ceil(_m, _unitWidth));
        }

        private static int Ceil(int value, int step) => (value + step - 1) / step;

        public void Run()
        {
            // This thread's private packing buffer, sized for any unit of this product.
            float* own = _columnMode
                ? PackBuffer(ref s_packB, _kStep * _unitWidth)
                : PackBuffer(ref s_packA, _unitWidth * _kStep);
            bool onCaller = _hook is not null && Environment.CurrentManagedThreadId == _callerThread;
            _hook?.Invoke(-1, onCaller); // before the first claim (no unit is held yet)
            while (Volatile.Read(ref *_aborted) == 0)
            {
                int unit = Interlocked.Increment(ref *_next) - 1;
                if (unit >= _units) return;
                try
                {
                    _hook?.Invoke(unit, onCaller);
                    if (!RunUnit(unit, own)) return;
                }
                catch
                {
                    Volatile.Write(ref *_aborted, 1); // the threads waiting for this unit leave; the pool rethrows
                    throw;
                }
            }
        }

        /// <summary>Runs one unit; false when the product was abandoned (another unit threw) while it waited.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly bool RunUnit(int unit, float* own)
        {
            int stage, index;
            if (unit < _fullUnits)
            {
                stage = unit / (_packFull + _computeFull);
                index = unit - stage * (_packFull + _computeFull);
            }
            else
            {
                int perStage = _packLast + _computeLast, rest = unit - _fullUnits;
                stage = _fullStages + rest / perStage;
                index = rest % perStage;
            }
            int packUnits = stage < _fullStages ? _packFull : _packLast;
            int jc = stage / _kBlocks * NC, p0 = stage % _kBlocks * _kStep;
            int nc = Math.Min(NC, _n - jc), kc = Math.Min(_kStep, _k - p0);
            float* shared = _shared + (stage & 1) * _sharedHalf;

            if (index < packUnits)
            {
                // Stage s − 2 used this half of the shared buffer: all its compute units must be done.
                if (stage >= 2 && !WaitFor(_computeDone + stage - 2, ComputeUnits(stage - 2))) return false;
                if (_columnMode)
                {
                    int i0 = index * _packPanels * MR, rows = Math.Min(_packPanels * MR, _m - i0);
                    PackA(_transposeA, _a, _lda, i0, p0, rows, kc, shared + i0 * kc);
                }
                else
                {
                    int j0 = index * _packPanels * NR, cols = Math.Min(_packPanels * NR, nc - j0);
                    PackB(_transposeB, _b, _ldb, p0, jc + j0, kc, cols, NR, shared + j0 * kc);
                }
                Interlocked.Increment(ref _packDone[stage]);
                return true;
            }

            int q = index - packUnits;
            if (!WaitFor(_packDone + stage, packUnits)) return false;
            // The same rows/columns of C in the previous stage must be summed first (K order). Only
            // the last column block has fewer units, so a unit that exists in stage s existed before.
            if (stage >= 1 && q < ComputeUnits(stage - 1) && !WaitFor(_chainDone + q, stage)) return false;
            bool accumulate = _accumulate || p0 > 0; // the first K block applies beta
            if (_columnMode)
            {
                int j0 = q * _unitWidth, cols = Math.Min(_unitWidth, nc - j0);
                PackB(_transposeB, _b, _ldb, p0, jc + j0, kc, cols, NR, own);
                for (int ic = 0; ic < _m; ic += _mStep)
                    MacroKernel(shared + ic * kc, own, Math.Min(_mStep, _m - ic), cols, kc, _c + (long)ic * _ldc + jc + j0, _ldc, accumulate);
            }
            else
            {
                int i0 = q * _unitWidth, rows = Math.Min(_unitWidth, _m - i0);
                PackA(_transposeA, _a, _lda, i0, p0, rows, kc, own);
                MacroKernel(own, shared, rows, nc, kc, _c + (long)i0 * _ldc + jc, _ldc, accumulate);
            }
            // Publish only what a later unit waits for: each write is a cache line that the other
            // threads must fetch again (a fifth of a microsecond), which shows on small products.
            if (stage + 1 < _stages) Volatile.Write(ref _chainDone[q], stage + 1);
            if (stage + 2 < _stages) Interlocked.Increment(ref _computeDone[stage]);
            return true;
        }

        private readonly int ComputeUnits(int stage) => stage < _fullStages ? _computeFull : _computeLast;

        /// <summary>
        /// Waits until *<paramref name="counter"/> reaches <paramref name="target"/>: the counted units
        /// were claimed before the waiting one, by threads that are running them. False if the product
        /// was abandoned meanwhile.
        /// </summary>
        private readonly bool WaitFor(int* counter, int target)
        {
            if (Volatile.Read(ref *counter) >= target) return true;
            var spin = new SpinWait();
            while (Volatile.Read(ref *counter) < target)
            {
                if (Volatile.Read(ref *_aborted) != 0) return false;
                spin.SpinOnce(sleep1Threshold: -1);
            }
            return true;
        }
    }

    /// <summary>
    /// A 64-byte-aligned pointer to at least <paramref name="length"/> ints of this thread's scheduling
    /// buffer, growing it when needed (pinned, like the packing buffers).
    /// </summary>
    private static int* ScheduleBuffer(int length)
    {
        const int alignInts = 16;
        if (s_schedule is null || s_schedule.Length < length + alignInts)
            s_schedule = GC.AllocateArray<int>(Math.Max(length + alignInts, 256), pinned: true);
        int* p = (int*)Unsafe.AsPointer(ref s_schedule[0]);
        nint misalignment = (nint)p & 63;
        return misalignment == 0 ? p : (int*)((byte*)p + (64 - misalignment));
    }
}
