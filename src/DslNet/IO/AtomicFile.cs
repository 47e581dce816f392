using System;
using System.IO;

namespace DslNet.IO;

/// <summary>
/// Writes a file so that a crash or an exception never leaves it half-written: the content goes to a
/// temporary file in the same folder (same file system, so the final rename is atomic), is flushed to
/// disk, and only then replaces the target with <see cref="File.Move(string, string, bool)"/>. If
/// anything fails, the temporary file is deleted and an existing target is left untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{folder}' does not exist.");

        // A hidden, unique name: concurrent writers of the same target do not collide, and a leftover
        // from a killed process is recognisable (".name.<guid>.tmp").
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); }
            catch (IOException) { /* keep the original exception */ }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
