using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslNet.Backends.Cpu;

/// <summary>
/// A 3×3, stride-1 cross-correlation seen as Winograd F(4×4, 3×3) tiles:
/// out[n, o, y, x] (+)= Σ_i Σ_(a,b) W[o, i, a, b] · in[n, i, y + a − PadTop, x + b − PadLeft], with
/// input positions outside [0, InHeight) × [0, InWidth) read as zero. The forward pass is this with
/// (x, y); the input gradient is this with (dy, dx), the kernel flipped and transposed and padding 2 − p.
/// Output tiles of 4 × 4 are numbered by tile row and column; a band is a run of
/// <see cref="BandRows"/> tile rows processed together (it bounds the scratch on large images).
/// </summary>
internal readonly struct WinogradShape
{
    public WinogradShape(int inChannels, int inHeight, int inWidth, int outChannels, int outHeight, int outWidth,
        int padTop, int padLeft, int bandBudgetFloats, int floatsPerBandRowAndChannel, int channelsInBudget)
    {
        InChannels = inChannels; InHeight = inHeight; InWidth = inWidth;
        OutChannels = outChannels; OutHeight = outHeight; OutWidth = outWidth;
        PadTop = padTop; PadLeft = padLeft;
        TilesY = (outHeight + WinogradConvolution.Tile - 1) / WinogradConvolution.Tile;
        TilesX = (outWidth + WinogradConvolution.Tile - 1) / WinogradConvolution.Tile;
        long perRow = (long)Math.Max(1, floatsPerBandRowAndChannel) * Math.Max(1, channelsInBudget);
        BandRows = (int)Math.Clamp(bandBudgetFloats / perRow, 1, Math.Max(1, TilesY));
    }

    public int InChannels { get; }
    public int InHeight { get; }
    public int InWidth { get; }
    public int OutChannels { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int TilesY { get; }
    public int TilesX { get; }
    public int BandRows { get; }

    public int InputPlane => InHeight * InWidth;
    public int OutputPlane => OutHeight * OutWidth;

    // ---- the input frame of one channel of a band (see PackInputFrame) ---------------------------

    /// <summary>Rows of a phase plane: a band's tile rows plus one (taps 4 and 5 reach into the next tile).</summary>
    public int PhaseRows => BandRows + 1;

    /// <summary>Columns of a phase plane.</summary>
    public int PhaseColumns => TilesX + 1;

    /// <summary>Floats of one channel's input frame: 16 phase planes of PhaseRows × PhaseColumns lane vectors.</summary>
    public int InputFrameFloats => WinogradConvolution.Phases * PhaseRows * PhaseColumns * WinogradConvolution.Lanes;

    /// <summary>Floats of one channel's output-gradient frame (weight gradient): 16 phase planes of BandRows × TilesX vectors.</summary>
    public int GradientFrameFloats => WinogradConvolution.Phases * BandRows * TilesX * WinogradConvolution.Lanes;

    /// <summary>Where the vector of tile (row within the band, column) starts in an input frame's phase planes.</summary>
    public int InputTileOffset(int bandRow, int column) => (bandRow * PhaseColumns + column) * WinogradConvolution.Lanes;

    /// <summary>
    /// Offset of input tap (i, k) (0 … 5) from <see cref="InputTileOffset"/>: frame row 4·ty + i and column
    /// 4·tx + k live in phase plane (i mod 4, k mod 4) at tile row ty + i/4, column tx + k/4.
    /// </summary>
    public int InputTapOffset(int i, int k) =>
        (((i % 4) * 4 + k % 4) * PhaseRows * PhaseColumns + (i / 4) * PhaseColumns + k / 4) * WinogradConvolution.Lanes;
}

internal static unsafe partial class WinogradConvolution
{
    /// <summary>
    /// Copies channel planes of <paramref name="images"/> (≤ 16) consecutive samples into one channel's
    /// input frame for the band starting at tile row <paramref name="firstTileRow"/>: the zero-padded
    /// input, split into 16 phase planes by (frame row mod 4, frame column mod 4), each position holding a
    /// vector of 16 lanes, one per sample. So every tap of a tile is one contiguous vector load: lanes are
    /// samples, and a tap's frame position is a fixed offset from the tile's (see
    /// <see cref="WinogradShape.InputTapOffset"/>). Lanes past <paramref name="images"/> and positions
    /// outside the input, or read by no valid output, are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackInputFrame(in WinogradShape s, float* plane, int imageStride, int images, int firstTileRow,
        int bandTileRows, float* frame, int* columnOffsets)
    {
        ClearFloats(frame, s.InputFrameFloats);
        int planeFloats = s.PhaseRows * s.PhaseColumns * Lanes;
        // Frame columns X (input column X − PadLeft) that valid outputs read: X < OutWidth + 2.
        int x0 = s.PadLeft, x1 = Math.Min(s.InWidth + s.PadLeft, s.OutWidth + 2);
        for (int x = x0; x < x1; x++) columnOffsets[x] = (x % 4) * planeFloats + (x / 4) * Lanes;
        int y0 = firstTileRow * Tile;
        int y1 = Math.Min(y0 + bandTileRows * Tile + 2, s.OutHeight + 2);
        for (int y = y0; y < y1; y++)
        {
            int row = y - s.PadTop;
            if (row < 0 || row >= s.InHeight) continue;
            int local = y - y0;
            float* target = frame + (local % 4) * 4 * planeFloats + (local / 4) * s.PhaseColumns * Lanes;
            for (int n = 0; n < images; n++)
            {
                float* source = plane + (long)n * imageStride + row * s.InWidth - s.PadLeft;
                float* lane = target + n;
                for (int x = x0; x < x1; x++) lane[columnOffsets[x]] = source[x];
            }
        }
    }

    /// <summary>
    /// Copies one channel of the output gradient of <paramref name="images"/> samples, for the band's
    /// tile rows, into a gradient frame: 16 phase planes by (row mod 4, column mod 4) of BandRows × TilesX
    /// lane vectors, so the 16 values of a tile are 16 vector loads a plane apart. Positions past the
    /// output and lanes past <paramref name="images"/> are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackGradientFrame(in WinogradShape s, float* plane, int imageStride, int images, int firstTileRow,
        int bandTileRows, float* frame, int* columnOffsets)
    {
        ClearFloats(frame, s.GradientFrameFloats);
        int planeFloats = s.BandRows * s.TilesX * Lanes;
        for (int x = 0; x < s.OutWidth; x++) columnOffsets[x] = (x % 4) * planeFloats + (x / 4) * Lanes;
        int y0 = firstTileRow * Tile;
        int y1 = Math.Min(y0 + bandTileRows * Tile, s.OutHeight);
        for (int y = y0; y < y1; y++)
        {
            int local = y - y0;
            float* target = frame + (local % 4) * 4 * planeFloats + (local / 4) * s.TilesX * Lanes;
            for (int n = 0; n < images; n++)
            {
                float* source = plane + (long)n * imageStride + y * s.OutWidth;
                float* lane = target + n;
                for (int x = 0; x < s.OutWidth; x++) lane[columnOffsets[x]] = source[x];
            }
        }
    }

    /// <summary>
    /// Writes a finished output tile (16 vectors, [i·4 + j][lane], one lane per sample) into the
    /// channel planes of <paramref name="images"/> samples at tile (tile row, tile column), clipped to the
    /// output; adds to what is there when <paramref name="accumulate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreTile(in WinogradShape s, float* tile, float* plane, int imageStride, int images,
        int tileRow, int tileColumn, bool accumulate)
    {
        int y0 = tileRow * Tile, x0 = tileColumn * Tile;
        int rows = Math.Min(Tile, s.OutHeight - y0), columns = Math.Min(Tile, s.OutWidth - x0);
        for (int n = 0; n < images; n++)
        {
            float* target = plane + (long)n * imageStride + y0 * s.OutWidth + x0;
            float* lane = tile + n;
            for (int i = 0; i < rows; i++)
            {
                float* row = target + i * s.OutWidth;
                float* values = lane + i * Tile * Lanes;
                if (accumulate) for (int j = 0; j < columns; j++) row[j] += values[j * Lanes];
                else for (int j = 0; j < columns; j++) row[j] = values[j * Lanes];
            }
        }
    }

    private static void ClearFloats(float* p, int count)
    {
        int i = 0;
        for (; i + 16 <= count; i += 16) Vector512.Store(Vector512<float>.Zero, p + i);
        for (; i < count; i++) p[i] = 0f;
    }
}
