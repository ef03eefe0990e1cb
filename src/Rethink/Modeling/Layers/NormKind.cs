namespace Rethink.Modeling.Layers;

/// <summary>The normalizations the paper compares.</summary>
public enum NormKind
{
    /// <summary>No normalization (conv layers get biases instead).</summary>
    None,
    /// <summary>BatchNorm with statistics and affine parameters fixed (the classic fine-tuning baseline).</summary>
    FrozenBN,
    /// <summary>BatchNorm over each device's own images.</summary>
    BN,
    /// <summary>BatchNorm over every image of the global batch.</summary>
    SyncBN,
    /// <summary>GroupNorm (32 groups by default).</summary>
    GN,
}

public static class NormKinds
{
    /// <summary>Parses "none", "frozenbn", "bn", "syncbn" or "gn" (case-insensitive, dashes and underscores ignored).</summary>
    public static NormKind Parse(string name)
    {
        string n = name.Trim().ToLowerInvariant().Replace("-", "").Replace("_", "");
        return n switch
        {
            "none" or "" => NormKind.None,
            "frozenbn" or "frozen" => NormKind.FrozenBN,
            "bn" or "batchnorm" => NormKind.BN,
            "syncbn" or "syncbatchnorm" => NormKind.SyncBN,
            "gn" or "groupnorm" => NormKind.GN,
            _ => throw new ArgumentException($"unknown norm '{name}': use none, frozenbn, bn, syncbn or gn", nameof(name)),
        };
    }

    public static string Name(this NormKind kind) => kind switch
    {
        NormKind.None => "none",
        NormKind.FrozenBN => "frozenbn",
        NormKind.BN => "bn",
        NormKind.SyncBN => "syncbn",
        NormKind.GN => "gn",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
