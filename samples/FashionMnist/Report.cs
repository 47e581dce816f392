using System;

namespace FashionMnist;

/// <summary>Test images as ASCII art.</summary>
internal static class Report
{
    /// <summary>A 28×28 image in 14 lines of characters (two pixel rows per line), darker = denser.</summary>
    public static string[] Ascii(ReadOnlySpan<float> image, int height = 28, int width = 28)
    {
        const string ramp = " .:-=+*#%@";
        var lines = new string[height / 2];
        for (int y = 0; y < height; y += 2)
        {
            var line = new char[width];
            for (int x = 0; x < width; x++)
            {
                float v = Math.Clamp((image[y * width + x] + image[(y + 1) * width + x]) / 2, 0, 1);
                line[x] = ramp[(int)(v * (ramp.Length - 1))];
            }
            lines[y / 2] = new string(line);
        }
        return lines;
    }
}
