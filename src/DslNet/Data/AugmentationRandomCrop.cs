using System;

namespace DslNet.Data;

/// <summary>
/// Random crop with padding (the CIFAR recipe): each image is padded by <see cref="Padding"/> pixels
/// of <see cref="Fill"/> on every side and an H×W window is cut at an offset (dy, dx) drawn uniformly
/// from [0, 2·Padding]², so output(y, x) = padded(y + dy, x + dx) = input(y + dy − P, x + dx − P),
/// or the fill outside the input. The same offset applies to all channels of an image.
/// </summary>
public sealed class RandomCrop : Augmentation
{
    private float[] _scratch = Array.Empty<float>();

    public RandomCrop(int padding, float fill = 0f)
    {
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "The crop padding cannot be negative.");
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        Padding = padding;
        Fill = fill;
    }

    public int Padding { get; }
    public float Fill { get; }

    protected internal override void ApplyCore(Span<float> images, int count, ImageShape shape, ref AugmentationRandom random)
    {
        if (Padding > 0 && _scratch.Length < shape.Size) _scratch = new float[shape.Size]; // once per image size
        int window = 2 * Padding + 1;
        for (int i = 0; i < count; i++)
        {
            int dy = random.NextInt(window), dx = random.NextInt(window);
            CropAt(images.Slice(i * shape.Size, shape.Size), shape, dy - Padding, dx - Padding, Fill, _scratch);
        }
    }

    /// <summary>
    /// In place: image(y, x) ← original(y + shiftY, x + shiftX), or <paramref name="fill"/> where that
    /// falls outside. <paramref name="scratch"/> holds at least one image.
    /// </summary>
    internal static void CropAt(Span<float> image, ImageShape shape, int shiftY, int shiftX, float fill, Span<float> scratch)
    {
        if (shiftY == 0 && shiftX == 0) return;
        int h = shape.Height, w = shape.Width;
        var source = scratch[..shape.Size];
        image.CopyTo(source);
        // The columns x whose source column x + shiftX lies inside [0, w).
        int x0 = Math.Clamp(-shiftX, 0, w), x1 = Math.Clamp(w - shiftX, 0, w);
        for (int c = 0; c < shape.Channels; c++)
        {
            for (int y = 0; y < h; y++)
            {
                var row = image.Slice((c * h + y) * w, w);
                int sy = y + shiftY;
                if (sy < 0 || sy >= h || x0 >= x1)
                {
                    row.Fill(fill);
                    continue;
                }
                row[..x0].Fill(fill);
                source.Slice((c * h + sy) * w + x0 + shiftX, x1 - x0).CopyTo(row[x0..x1]);
                row[x1..].Fill(fill);
            }
        }
    }

    public override string ToString() => $"RandomCrop(padding: {Padding})";
}
