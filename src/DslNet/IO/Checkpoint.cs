using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DslNet.Training;

namespace DslNet.IO;

/// <summary>
/// One <see cref="ParameterSet"/> in a checkpoint, its tensors stored as <c>Prefix + spec name</c>.
/// A ParameterSet converts to a part without prefix, a (prefix, set) tuple to a prefixed one, so
/// <c>Checkpoint.Save(path, net.Parameters, net.State)</c> and
/// <c>Checkpoint.Save(path, ("generator.", g.Parameters), ("discriminator.", d.Parameters))</c> both work.
/// </summary>
public readonly record struct CheckpointPart(string Prefix, ParameterSet? Set)
{
    public static implicit operator CheckpointPart(ParameterSet? set) => new("", set);

    public static implicit operator CheckpointPart((string Prefix, ParameterSet? Set) part) => new(part.Prefix, part.Set);
}

/// <summary>
/// Saves and loads the tensors of <see cref="ParameterSet"/>s as a safetensors file, under their spec
/// names (e.g. "C1.weight"), so checkpoints move to and from PyTorch (<c>safetensors.torch.load_file</c>).
/// A part whose set is null is skipped, so a network without non-trainable state can pass it anyway.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// Tensors whose name ends with this are skipped on load: PyTorch's BatchNorm keeps a count of
    /// training batches ("Stem.1.num_batches_tracked") that only matters when its momentum is None.
    /// </summary>
    public const string IgnoredSuffix = ".num_batches_tracked";

    /// <summary>Metadata written into every checkpoint: "format": "pt" marks a PyTorch-style state dict.</summary>
    public static IReadOnlyDictionary<string, string> DefaultMetadata { get; } =
        new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Writes every tensor of <paramref name="parts"/>, in order, atomically.</summary>
    public static void Save(string path, params CheckpointPart[] parts) => Save(path, DefaultMetadata, parts);

    /// <summary>
    /// Writes every tensor of <paramref name="parts"/>, in order, atomically, with
    /// <paramref name="metadata"/> (added to, and overriding, <see cref="DefaultMetadata"/>) in the header.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, string> metadata, params CheckpointPart[] parts)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var allMetadata = new Dictionary<string, string>(DefaultMetadata, StringComparer.Ordinal);
        foreach (var (key, value) in metadata) allMetadata[key] = value;

        var tensors = new List<SafeTensor>();
        foreach (var (prefix, set) in Present(parts))
        {
            // One copy per set: a device backend transfers the whole contiguous buffer at once.
            var host = new float[set.Count];
            set.Backend.CopyToHost(set.Values.View, host);
            int baseOffset = set.Values.View.Offset;
            for (int i = 0; i < set.Specs.Count; i++)
            {
                var spec = set.Specs[i];
                tensors.Add(new SafeTensor(prefix + spec.Name, spec.Shape, host.AsMemory(set.Value(i).Offset - baseOffset, spec.Length)));
            }
        }
        SafeTensors.Write(path, tensors, allMetadata);
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="parts"/>. The whole file is read and checked
    /// first — every expected tensor present with the expected shape and a floating-point dtype, no
    /// unexpected tensor — and only then are values copied in, so a failed load leaves every set
    /// unchanged. A mismatch throws <see cref="CheckpointMismatchException"/> naming each tensor and
    /// both shapes; a damaged file throws <see cref="InvalidDataException"/>; an expected tensor stored
    /// as integers or booleans <see cref="NotSupportedException"/> naming it and its dtype. F64, F16 and
    /// BF16 tensors are converted to float32. PyTorch's BatchNorm counter
    /// (<see cref="IgnoredSuffix"/>, an I64 scalar DslNet has no use for) is ignored, so a renamed
    /// PyTorch state_dict loads as it is.
    /// </summary>
    public static void Load(string path, params CheckpointPart[] parts)
    {
        var file = SafeTensors.Read(path);
        var present = Present(parts).ToList();

        var expected = new Dictionary<string, ParameterSpec>(StringComparer.Ordinal);
        foreach (var (prefix, set) in present)
            foreach (var spec in set.Specs)
                if (!expected.TryAdd(prefix + spec.Name, spec))
                    throw new ArgumentException($"Two parts of the checkpoint both have a tensor named '{prefix + spec.Name}'.", nameof(parts));

        var mismatched = new List<string>();
        var missing = new List<string>();
        var messages = new List<string>();
        foreach (var (name, spec) in expected)
        {
            if (!file.TryGet(name, out var info))
            {
                missing.Add(name);
            }
            else if (!info.Shape.AsSpan().SequenceEqual(spec.Shape))
            {
                mismatched.Add(name);
                messages.Add($"Checkpoint '{path}': tensor '{name}' has shape {info.ShapeText} but the network expects {spec.ShapeText}.");
            }
        }
        var unexpected = file.Tensors.Where(t => !expected.ContainsKey(t.Name) && !t.Name.EndsWith(IgnoredSuffix, StringComparison.Ordinal))
            .Select(t => t.Name).ToList();
        var notFloat = expected.Keys.Where(n => file.TryGet(n, out var info) && !info.IsFloatingPoint).ToList();
        if (notFloat.Count > 0)
            throw new NotSupportedException($"Checkpoint '{path}': " + string.Join("; ", notFloat.Select(n => $"tensor '{n}' has dtype {file[n].DType}")) +
                ". DslNet loads floating-point tensors (F32, or F64/F16/BF16 converted to float32); convert them before saving, e.g. tensor.float() in PyTorch.");
        if (missing.Count > 0)
            messages.Add($"Checkpoint '{path}' lacks {Plural(missing.Count)} the network expects: " +
                string.Join(", ", missing.Select(n => $"'{n}' {expected[n].ShapeText}")) + ".");
        if (unexpected.Count > 0)
            messages.Add($"Checkpoint '{path}' has {Plural(unexpected.Count)} the network does not expect: " +
                string.Join(", ", unexpected.Select(n => $"'{n}' {file[n].ShapeText}")) + ".");
        if (messages.Count > 0)
            throw new CheckpointMismatchException(string.Join(Environment.NewLine, messages), path, mismatched, missing, unexpected);

        // Everything matches: copy in. Nothing below can fail on a mismatch.
        foreach (var (prefix, set) in present)
        {
            var host = new float[set.Count];
            int baseOffset = set.Values.View.Offset;
            for (int i = 0; i < set.Specs.Count; i++)
                file.CopyTo(prefix + set.Specs[i].Name, host.AsSpan(set.Value(i).Offset - baseOffset, set.Specs[i].Length));
            set.Backend.CopyFromHost(host, set.Values.View);
        }
    }

    /// <summary>The "__metadata__" of a checkpoint (after validating the whole file).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => SafeTensors.Read(path).Metadata;

    private static IEnumerable<(string Prefix, ParameterSet Set)> Present(CheckpointPart[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        foreach (var part in parts)
            if (part.Set is not null) yield return (part.Prefix ?? "", part.Set);
    }

    private static string Plural(int n) => n == 1 ? "a tensor" : $"{n} tensors";
}

/// <summary>
/// A checkpoint that is a valid file but does not fit the network: tensors with other shapes,
/// missing tensors, or tensors the network does not have. Nothing was loaded.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    public CheckpointMismatchException(string message, string path, IReadOnlyList<string> mismatched,
        IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) : base(message)
    {
        Path = path;
        MismatchedTensors = mismatched;
        MissingTensors = missing;
        UnexpectedTensors = unexpected;
    }

    public string Path { get; }

    /// <summary>Tensors present in both with different shapes.</summary>
    public IReadOnlyList<string> MismatchedTensors { get; }

    /// <summary>Tensors the network expects that the file lacks.</summary>
    public IReadOnlyList<string> MissingTensors { get; }

    /// <summary>Tensors in the file the network does not have.</summary>
    public IReadOnlyList<string> UnexpectedTensors { get; }
}
